"""Thin Django apps, one per area: models and migrations, no business logic."""
