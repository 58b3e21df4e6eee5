"""Portal logins: creation, login details, activation, links to accounts, roles."""
