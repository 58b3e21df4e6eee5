"""The document store: issuing documents of an account (stored once, immutable) and finding them."""
