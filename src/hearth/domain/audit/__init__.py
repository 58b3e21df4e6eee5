"""The audit trail: the lowest domain area, so every other area can record what it changed."""
