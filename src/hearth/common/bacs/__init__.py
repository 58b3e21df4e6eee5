"""The Bacs file formats Hearth needs for Direct Debit: processing days, Standard 18 submissions and the reports.

See docs/bacs-formats.md for each file and field, and which parts are public and which are assumed.
"""
