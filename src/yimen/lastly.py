"""Steps a transaction runs last, just before it ends.

A lock on a single hot row (the audit chain's head) is held from the statement that
takes it until the commit. A service opens its transaction with `lastly.atomic()`;
the steps queued with `lastly.run(step, item)` inside it run when that block ends,
after everything else the service wrote, so the row stays locked for little more than
the commit. Items queued for the same step in one block are handed to it together,
once, in the order they came.

A step queued where it could be undone on its own (outside such a block, or inside a
savepoint opened within it that may still roll back) runs at once instead: a queued
step always belongs to work that commits with it.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

Step = Callable[[list], None]


@dataclass
class _Block:
    savepoints: tuple[str, ...]
    queued: dict[Step, list] = field(default_factory=dict)

    def add(self, step: Step, items: list) -> None:
        self.queued.setdefault(step, []).extend(items)


_blocks = threading.local()


def _open_blocks() -> list[_Block]:
    if not hasattr(_blocks, "stack"):
        _blocks.stack = []
    return _blocks.stack


@contextmanager
def atomic() -> Iterator[None]:
    """`transaction.atomic()` whose queued steps run at its end (at the end of the outermost
    one when they nest), inside the transaction."""
    stack = _open_blocks()
    with transaction.atomic():
        block = _Block(tuple(transaction.get_connection().savepoint_ids))
        stack.append(block)
        try:
            yield
        finally:
            stack.pop()
        if stack:
            for step, items in block.queued.items():
                stack[-1].add(step, items)
        elif not transaction.get_rollback():
            for step, items in block.queued.items():
                step(items)


def run(step: Step, item) -> None:
    """Queue `item` for `step` at the end of the enclosing `lastly.atomic()` block, or hand
    it to the step now when there is none to wait for."""
    stack = _open_blocks()
    current = tuple(transaction.get_connection().savepoint_ids)
    if stack and stack[-1].savepoints == current:
        stack[-1].add(step, [item])
    else:
        step([item])
