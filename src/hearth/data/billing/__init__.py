"""Bills, their lines, the account ledger, additional charges and bill runs."""
