"""Webhook URLs must not reach into the server's own network (SSRF): a URL whose host is, or
resolves to, a loopback, private, link-local, reserved or multicast address is refused unless
the operator allows it (WEBHOOKS_ALLOW_PRIVATE_URLS, e.g. for a receiver on the same host).

Checked when a webhook is saved and again before every delivery (a name may be pointed
elsewhere later). Redirects are never followed, so an answer cannot send the request on.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from workspaces.errors import ApplicationError


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def webhook_url_check(url: str) -> str:
    """The URL, if a webhook may call it; ApplicationError (field "url") otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApplicationError("Give an http:// or https:// URL.", field="url")
    if parts.username or parts.password:
        raise ApplicationError("Put no user name or password in the URL.", field="url")
    try:
        port = parts.port
    except ValueError:
        raise ApplicationError(
            "The URL's port is not a number from 1 to 65535.", field="url"
        ) from None
    if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ApplicationError(f"No address found for {parts.hostname}.", field="url") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if _refused_address(address):
            raise ApplicationError(
                f"{parts.hostname} is an address of a private or local network ({address}): "
                "webhooks may only call public addresses.",
                field="url",
            )
    return url
