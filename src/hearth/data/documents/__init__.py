"""The document store: every document an account receives, stored once and never changed."""
