"""Readers keep one Party (and one copy of its texts) per file for a party that recurs."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from pipelines.generate import generate
from schemas.records import Transaction
from transforms.feeds import FileContext, bank_csv, crypto, pacs008, read_feed

FEEDS = ("bank/payments.csv", "bank/pacs008.xml", "crypto/exchange.csv", "crypto/exchange.jsonl")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate(str(root), "2026-11-27", ["NL"], 3000, seed=11, entries=[])
    return root / "2026-11-27" / "NL"


def _read(day: Path, feed: str) -> list[Transaction]:
    context = FileContext("NL", "2026-11-27", feed.split("/")[0], feed)
    rows = [r for r in read_feed(str(day / feed), context) if isinstance(r, Transaction)]
    assert rows
    return rows


def _unpooled(monkeypatch: pytest.MonkeyPatch) -> None:
    for reader in (bank_csv, crypto, pacs008):
        monkeypatch.setattr(reader, "pooled", lambda pool, value: value)


@pytest.mark.parametrize("feed", FEEDS)
def test_equal_parties_of_a_file_are_one_object_and_rows_are_unchanged(day: Path, feed: str,
                                                                      monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    pooled = _read(day, feed)
    parties = [p for tx in pooled for p in tx.parties]
    assert len({id(p) for p in parties}) == len(set(parties)) < len(parties)  # recurring parties exist, each once
    assert len({id(tx.currency) for tx in pooled}) == len({tx.currency for tx in pooled})
    _unpooled(monkeypatch)
    plain = _read(day, feed)
    assert len({id(p) for tx in plain for p in tx.parties}) == len(parties)  # without the pool: one per row
    assert plain == pooled


def test_pooled_bank_rows_take_far_less_memory(day: Path, monkeypatch: pytest.MonkeyPatch):
    def held() -> int:
        tracemalloc.start()
        try:
            rows = _read(day, "bank/payments.csv")
            size = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert rows
        return size

    pooled = held()
    _unpooled(monkeypatch)
    assert pooled < 0.7 * held()
