"""Writes that wait for the turn to be released: a speculative turn writes nothing."""

from __future__ import annotations

from typing import Any

from samantha.companion.memory import Memory


class Deferred:
    """Reads go to ``memory`` now; writes wait in ``pending`` until ``apply()``.

    A turn may be started speculatively and dropped (the person went on speaking): what it
    would have written must only happen once its reply is really spoken.
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.pending: list[tuple[str, tuple[Any, ...]]] = []

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.memory.read(sql, args)

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None:
        self.pending.append((sql, args))
        return 0

    def apply(self) -> bool:
        """All the waiting writes in one transaction: True when they are saved."""
        pending, self.pending = self.pending, []
        return self.memory.write_all(pending)
