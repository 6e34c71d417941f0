"""Who a local command acts as: the host administrator, named by the OS user running it.

A command that opens the stores directly runs on the host with the stores' keys; whoever
can do that can do anything, so it acts as :func:`onshore.core.identity.host_administrator`
and the ledger and case histories record its id, ``host:<os user>`` (shown as "host
administrator (<os user>)"), as they record a user's ``usr_...`` id. No command takes the
actor or the role as input (issue 14).

Example:
    >>> host_principal().kind
    'host'
"""

from __future__ import annotations

import getpass
import os

from onshore.core.identity import Principal, host_administrator


def os_user() -> str:
    """The login name of the OS user running this process (its uid when it has none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return str(os.getuid())


def host_principal() -> Principal:
    """The host administrator principal for the OS user running this command."""
    return host_administrator(os_user())


def host_actor() -> str:
    """The actor a local command records on the ledger: the host administrator's id,
    ``host:<os user>`` (users are recorded by their ``usr_...`` id the same way)."""
    return host_principal().id
