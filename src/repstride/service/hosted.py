"""The plumbing every part built by :class:`~repstride.service.container.Services` shares: its
database and clock are the container's (``self.services``), read where they are used so a test
that swaps ``services.clock`` moves every part at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hosted:
    """``db`` and ``clock`` of the ``Services`` this part was built by (``self.services``)."""

    services: Any

    @property
    def db(self):  # noqa: ANN201  (repstride.service.db.Database)
        return self.services.db

    @property
    def clock(self) -> Callable[[], float]:
        return self.services.clock
