"""Models of this area: see ADR 0014 for who owns what."""
