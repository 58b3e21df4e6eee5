"""How gateways reach Hearth: SMS webhooks (Twilio) under /inbound/."""
