"""A throwaway SoftHSM2 token for the HSM key-store tests.

``SoftHsm(tmp)`` writes a ``softhsm2.conf`` whose token directory is inside ``tmp``, points
``SOFTHSM2_CONF`` at it and initialises one token with ``softhsm2-util --init-token``.
A PKCS#11 library reads its configuration once per process, when first loaded, and does
not see tokens made later: so one token serves the whole test session, and each test
keeps its keys apart with its own label prefix (``pkcs11:...;object=PREFIX``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

MODULE_PATHS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
PIN_ENV = "SOFTHSM_TEST_PIN"


def module_path() -> str | None:
    """The SoftHSM2 PKCS#11 library, or None when SoftHSM2 is not installed."""
    return next((p for p in MODULE_PATHS if Path(p).exists()), None)


class SoftHsm:
    """One initialised SoftHSM2 token in a temporary directory."""

    def __init__(self, directory: Path, label: str = "onshore-test") -> None:
        module = module_path()
        util = shutil.which("softhsm2-util")
        if module is None or util is None:
            raise RuntimeError("SoftHSM2 is not installed (apt-get install -y softhsm2)")
        self.module = module
        self.label = label
        self.pin = secrets.token_hex(8)
        tokens = directory / "tokens"
        tokens.mkdir(parents=True)
        self.conf = directory / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        os.environ["SOFTHSM2_CONF"] = str(self.conf)
        os.environ[PIN_ENV] = self.pin
        subprocess.run(
            [util, "--init-token", "--free", "--label", label,
             "--so-pin", secrets.token_hex(8), "--pin", self.pin],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def uri(self, prefix: str | None = None, *, pin_env: str = PIN_ENV) -> str:
        """A ``pkcs11:`` URI for this token, keys under ``prefix`` (fresh one by default)."""
        prefix = prefix or f"t{secrets.token_hex(6)}"
        return (
            f"pkcs11:token={self.label};object={prefix}?module-path={self.module}&pin-env={pin_env}"
        )
