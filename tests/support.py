"""What integration and browser tests share: reading what a customer finds in their inbox.

A plain module (not a conftest): import it as ``tests.support``.
"""

import re

from django.core import mail


class Inbox:
    """The e-mails sent during the test (Django's test outbox; the browser tests' live server runs in this process)."""

    def __init__(self, outbox: list[mail.EmailMessage]) -> None:
        self.outbox = outbox

    def to(self, address: str) -> list[mail.EmailMessage]:
        return [message for message in self.outbox if address in message.to]

    def last_to(self, address: str) -> mail.EmailMessage:
        messages = self.to(address)
        assert messages, f"no e-mail was sent to {address}; sent: {[(m.to, m.subject) for m in self.outbox]}"
        return messages[-1]

    def temporary_password(self, address: str) -> str:
        """The temporary password in the latest login-details e-mail to `address`."""
        return self._find(address, r"Temporary password:\s*(\S+)", "temporary password").group(1)

    def link(self, address: str) -> str:
        """The first web link in the latest e-mail to `address`."""
        return self._find(address, r"https?://\S+", "link").group(0)

    def reset_path(self, address: str) -> str:
        """The path of the password-reset link in the latest e-mail to `address`."""
        return self._find(address, r"https?://[^/\s]+(/\S+)", "link").group(1)

    def _find(self, address: str, pattern: str, what: str) -> re.Match[str]:
        body = str(self.last_to(address).body)
        found = re.search(pattern, body)
        assert found, f"no {what} in the e-mail to {address}:\n{body}"
        return found
