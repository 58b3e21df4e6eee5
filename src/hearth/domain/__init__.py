"""The business, one package per area; views, tasks and commands call into it."""
