"""IPv4 and IPv6 addresses (the country comes from an offline database, not from here).

Format: IPv4 dotted quad (RFC 791, no leading zeros as Python's ``ipaddress`` requires) and
IPv6 text forms of RFC 4291 §2.2 (with ``::`` compression, embedded IPv4, zone ids of RFC
4007), optionally with a CIDR prefix length. The unspecified addresses ``::`` and
``0.0.0.0`` identify nobody and are not reported.

Example:
    >>> RECOGNIZER.check("14.160.0.1"), RECOGNIZER.check("2001:db8::1")
    (0.8, 0.8)
    >>> RECOGNIZER.check("256.1.1.1") is None, RECOGNIZER.check("12:30:45") is None
    (True, True)
"""

from __future__ import annotations

import ipaddress

from onshore.core.classify.recognizer import Recognizer

NAME = "ip_address"
CATEGORY = "ip_address"
COUNTRY_CODE = None
PATTERNS = (
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/\d{1,3})?",
    r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(?:%[0-9A-Za-z]+)?(?:/\d{1,4})?",
)
CONTEXT = ("ip", "dia chi ip", "login from", "dang nhap", "address", "host", "client")


def validate(text: str) -> float | None:
    """0.8 for a parseable address (or CIDR block) other than the unspecified one.

    Example:
        >>> validate("192.168.1.1/24"), validate("192.168.1.1/192.168.1.1"), validate("::/0")
        (0.8, None, None)
    """
    address, _, prefix = text.partition("/")
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return None
    if addr.is_unspecified:
        return None
    if prefix and not (prefix.isascii() and prefix.isdigit() and int(prefix) <= addr.max_prefixlen):
        return None  # ``1.2.3.4/1.2.3.4`` or ``::1/٣``: not a CIDR block
    return 0.8


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
#: A global-looking IPv4 address (``0.x.x.x`` is never a host): vectorisable whole-value check;
#: anything else (IPv6, CIDR) falls back to ``validate``.
IPV4 = rf"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|[1-9])(?:\.{_OCTET}){{3}}"

RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    negative_context=("version", "ver", "v", "phien ban", "build", "release", "oid", "snmp"),
    cell_patterns=((IPV4, 0.8),),
)
