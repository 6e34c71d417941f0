"""onshore: keep regulated user data where the law says it must live, and prove it.

The SDK's front door is ``Vault`` (``from onshore import Vault``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from onshore.services.vault import Vault as Vault

__all__ = ["Vault", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Vault":
        from onshore.services.vault import Vault

        return Vault
    raise AttributeError(name)
