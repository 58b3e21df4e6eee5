"""API authentication: HTTP Basic with an API key as the user name and an empty password (as Octopus Energy's API).

A request without a key, or with one that is unknown or revoked, is answered 401 with ``WWW-Authenticate: Basic``.
The password part is ignored: the key alone is the secret. Each request checks the key afresh, so a key revoked in
the portal stops working at the next request.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBasicAuth

from hearth.data.identity.models import User
from hearth.domain.identity import api_keys

REALM = "Hearth API"


class ApiKeyBasicAuth(HttpBasicAuth):
    """HTTP Basic: the user name is the API key; the password is empty."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> User | None:
        return api_keys.authenticate_api_key(presented=username, now=timezone.now())


def login_of(request: HttpRequest) -> User:
    """The portal login whose key authenticated this request."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
