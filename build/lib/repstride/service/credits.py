"""The credit ledger: every change is a ledger row plus a conditional UPDATE of the balance in
the same transaction, so a debit is atomic on SQLite and PostgreSQL alike (never read, check,
write) and idempotent per ``ref`` (a retried job never pays twice)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from repstride.errors import InsufficientCredits, NotFound, ValidationFailed
from repstride.service.db import Database
from repstride.service.models import ApiClient, CreditEntry

Clock = Callable[[], float]


class CreditLedger:
    def __init__(self, db: Database, *, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    def balance(self, client_id: str) -> int:
        with self.db.session() as s:
            c = s.get(ApiClient, client_id)
            if c is None:
                raise NotFound(f"No client {client_id!r}.")
            return c.credits

    def debit(self, client_id: str, amount: int, *, ref: str, reason: str = "analysis") -> bool:
        """Take ``amount`` credits for ``ref``. Returns False if ``ref`` was already paid;
        raises :class:`InsufficientCredits` (402) when the balance is too low."""
        if amount <= 0:
            raise ValidationFailed("A debit must be positive.")
        return self._apply(client_id, -amount, ref=ref, reason=reason)

    def grant(self, client_id: str, amount: int, *, ref: str, reason: str = "grant") -> bool:
        if amount <= 0:
            raise ValidationFailed("A grant must be positive.")
        return self._apply(client_id, amount, ref=ref, reason=reason)

    def _apply(self, client_id: str, delta: int, *, ref: str, reason: str) -> bool:
        try:
            with self.db.session() as s:
                # The ledger row first: its unique (client_id, ref) makes a repeat fail here.
                s.add(CreditEntry(client_id=client_id, delta=delta, reason=reason, ref=ref,
                                  created_at=self.clock()))
                s.flush()
                stmt = update(ApiClient).where(ApiClient.id == client_id)
                if delta < 0:
                    stmt = stmt.where(ApiClient.credits >= -delta)
                res = s.execute(stmt.values(credits=ApiClient.credits + delta)
                                .execution_options(synchronize_session=False))
                if res.rowcount != 1:
                    if s.get(ApiClient, client_id) is None:
                        raise NotFound(f"No client {client_id!r}.")
                    raise InsufficientCredits(details={"required": -delta})
        except IntegrityError as exc:
            with self.db.session() as s:
                exists = s.scalar(select(CreditEntry.id).where(
                    CreditEntry.client_id == client_id, CreditEntry.ref == ref))
            if exists is not None:
                return False
            raise NotFound(f"No client {client_id!r}.") from exc
        return True

    def entries(self, client_id: str) -> list[tuple[int, str, str]]:
        with self.db.session() as s:
            return [(e.delta, e.reason, e.ref) for e in s.scalars(
                select(CreditEntry).where(CreditEntry.client_id == client_id)
                .order_by(CreditEntry.id))]
