"""What both vendor libraries need around `requests`: no token in a log, and plain http only for
a loopback emulator."""

from __future__ import annotations

import ipaddress
import logging
import os
from urllib.parse import urlsplit

from quickbooks_sync.qbo.types import QBOConfig


class _DropDebugRecords(logging.Filter):
    """requests-oauthlib logs the whole token and the Authorization header at DEBUG level
    ("Adding token ...", "Supplying headers ..."); drop its DEBUG records so tokens never
    reach a log, whatever the project's logging level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("requests_oauthlib.oauth2_session").addFilter(_DropDebugRecords())


def _is_loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def allow_http_for_loopback(config: QBOConfig) -> None:
    """requests-oauthlib refuses http:// unless OAUTHLIB_INSECURE_TRANSPORT is set; set it only
    for a loopback emulator, never for a remote QuickBooks (facts §2)."""
    if _is_loopback_http(config.api_url_v3):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
