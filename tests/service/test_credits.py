from __future__ import annotations

import threading

import pytest

from repstride.errors import InsufficientCredits, NotFound


def test_debit_is_idempotent_per_ref(services) -> None:  # noqa: ANN001
    c = services.clients.create("app", credits=3)
    assert services.credits.debit(c.id, 1, ref="analysis:1")
    assert not services.credits.debit(c.id, 1, ref="analysis:1")
    assert services.credits.balance(c.id) == 2
    assert services.credits.entries(c.id) == [(3, "initial grant", "initial"),
                                             (-1, "analysis", "analysis:1")]


def test_insufficient_credits(services) -> None:  # noqa: ANN001
    c = services.clients.create("app", credits=1)
    services.credits.debit(c.id, 1, ref="a")
    with pytest.raises(InsufficientCredits) as ei:
        services.credits.debit(c.id, 1, ref="b")
    assert ei.value.http_status == 402
    assert services.credits.balance(c.id) == 0
    assert len(services.credits.entries(c.id)) == 2  # the refused debit left no ledger row
    with pytest.raises(NotFound):
        services.credits.debit("missing", 1, ref="c")


def test_concurrent_debits_never_overdraw(services) -> None:  # noqa: ANN001
    c = services.clients.create("app", credits=5)
    ok, refused = [], []
    barrier = threading.Barrier(12)

    def debit(i: int) -> None:
        barrier.wait()
        try:
            services.credits.debit(c.id, 1, ref=f"job:{i}")
            ok.append(i)
        except InsufficientCredits:
            refused.append(i)

    threads = [threading.Thread(target=debit, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(ok), len(refused)) == (5, 7)
    assert services.credits.balance(c.id) == 0
    assert sum(d for d, _, _ in services.credits.entries(c.id)) == 0
