"""The deterministic demo supplier that `make run` loads: the top domain area, built only from the others' operations."""
