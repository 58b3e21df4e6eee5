"""The supply contract's lifecycle: sign-up, cooling-off, switching, renewal, notices, moves and leaving (ADR 0013)."""
