"""Hearth: the customer platform of a UK gas and electricity supplier."""
