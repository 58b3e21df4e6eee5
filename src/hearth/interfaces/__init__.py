"""How the world reaches Hearth: the portal, the care console, the API, inbound feeds, tasks and commands."""
