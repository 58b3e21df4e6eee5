"""Customers, properties, accounts and supply points."""
