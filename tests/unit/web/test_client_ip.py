"""Login throttling counts per client IP: behind the operator's proxies, the client's, never a spoofed one."""

from django.test import RequestFactory

from hearth.interfaces.web.client_ip import client_ip


def _request(remote: str, forwarded: str | None = None):
    request = RequestFactory().get("/login/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(settings):
    settings.HEARTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.HEARTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(settings):
    settings.HEARTH_TRUSTED_PROXY_COUNT = 1
    # The client claims 198.51.100.1; our proxy appends the real peer 203.0.113.7.
    assert client_ip(_request("10.0.0.2", "198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_a_missing_header_falls_back_to_the_socket_address(settings):
    settings.HEARTH_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "203.0.113.7")) == "10.0.0.2"
