"""The set of recognizers a classifier uses: the built-ins plus any registered later.

Example:
    >>> reg = default_registry()
    >>> "vn_phone" in reg.names() and "vn_cccd" in reg.names()
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.recognizers import (
    address,
    bank_account,
    card_number,
    cccd,
    cmnd,
    date_of_birth,
    email,
    email_obfuscated,
    ethnic_group,
    health_condition,
    iban,
    ip_address,
    passport,
    person_name,
    phone,
    vn_phone,
    vn_tax_code,
)

#: The built-in recognizers, in priority order (earlier wins a tie on an identical span).
BUILTIN: tuple[Recognizer, ...] = (
    email.RECOGNIZER,
    card_number.RECOGNIZER,
    iban.RECOGNIZER,
    vn_phone.RECOGNIZER,
    cccd.RECOGNIZER,
    phone.RECOGNIZER,
    ip_address.RECOGNIZER,
    vn_tax_code.RECOGNIZER,
    cmnd.RECOGNIZER,
    passport.RECOGNIZER,
    bank_account.RECOGNIZER,
    date_of_birth.RECOGNIZER,
    address.RECOGNIZER,
    person_name.RECOGNIZER,
    email_obfuscated.RECOGNIZER,
    health_condition.RECOGNIZER,
    ethnic_group.RECOGNIZER,
)


class Registry:
    """An ordered, name-unique collection of recognizers."""

    def __init__(self, recognizers: Iterable[Recognizer] = ()) -> None:
        self._items: dict[str, Recognizer] = {}
        for rec in recognizers:
            self.register(rec)

    def register(self, recognizer: Recognizer) -> None:
        """Add ``recognizer`` (replacing one of the same name)."""
        self._items[recognizer.name] = recognizer

    def names(self) -> list[str]:
        """Recognizer names in priority order."""
        return list(self._items)

    def get(self, name: str) -> Recognizer | None:
        """The recognizer called ``name``, or None."""
        return self._items.get(name)

    def __iter__(self) -> Iterator[Recognizer]:
        """Iterate over the recognizers in priority order."""
        return iter(tuple(self._items.values()))

    def all(self) -> tuple[Recognizer, ...]:
        """Every recognizer, in priority order."""
        return tuple(self._items.values())

    def for_category(self, category: str) -> tuple[Recognizer, ...]:
        """The recognizers that emit ``category``."""
        return tuple(r for r in self._items.values() if r.category == category)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The built-in recognizers (shared, do not mutate; build a ``Registry`` to extend)."""
    return Registry(BUILTIN)
