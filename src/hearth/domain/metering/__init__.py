"""Meter data: readings, interval consumption, AMR messages and industry flows."""
