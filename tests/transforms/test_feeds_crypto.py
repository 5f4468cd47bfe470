"""Crypto-exchange readers (CSV and JSON lines) on small hand-written files."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import (
    FeedError,
    FileContext,
    detect_format,
    read_crypto_csv,
    read_crypto_jsonl,
    read_feed,
)

CRYPTO = Path(__file__).parent.parent / "fixtures" / "feeds" / "crypto"
BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def ctx(name: str, country: str = "BE") -> FileContext:
    return FileContext(country, "2026-11-27", "crypto", f"crypto/{name}")


def us(iso: str) -> int:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def read(name: str, country: str = "BE") -> list[Transaction | QuarantineRow]:
    return list(read_feed(str(CRYPTO / name), ctx(name, country)))


def summary(rows: list[Transaction | QuarantineRow]) -> list[tuple[str, int, str]]:
    return [
        ("tx", r.source_row, r.tx_id)
        if isinstance(r, Transaction)
        else ("q", r.source_row, r.reason)
        for r in rows
    ]


def test_crypto_csv_maps_customer_and_counterparty():
    rows = read("exchange.csv")
    assert summary(rows) == [
        ("tx", 1, "be-c1"),
        ("tx", 2, "be-c2"),
        ("q", 3, "direction not in|out: 'sideways'"),
        ("q", 4, "missing required value: counterparty_address"),
    ]
    assert rows[0] == Transaction(
        country="BE",
        business_date="2026-11-27",
        source_type="crypto",
        source_file="crypto/exchange.csv",
        source_row=1,
        tx_id="be-c1",
        tx_timestamp_us=us("2026-11-27T10:15:00+00:00"),
        amount=5000.0,
        currency="USDT",
        parties=(
            Party("customer", "Pieter Claes", account="cu-77", country="BE"),
            Party("counterparty", None, crypto_address=ETH_ADDRESS),
        ),
        file_format="crypto-csv",
    )
    second = rows[1]
    assert isinstance(second, Transaction)
    assert second.tx_timestamp_us == us("2026-11-27T10:00:00.250+00:00")
    assert (second.amount, second.currency) == (0.25, "BTC")
    assert second.parties[1] == Party(
        "counterparty", "Sophie Lambert", crypto_address=BTC_ADDRESS
    )
    assert (
        rows[3].raw_record
        == "be-c4,27.11.2026,BTC,bitcoin,0.01,out,cu-80,Emma Willems,BE,,,,,"
    )


def test_semicolon_crypto_csv_uses_decimal_comma():
    rows = read("exchange_semicolon.csv", "ES")
    assert summary(rows) == [("tx", 1, "es-c1"), ("tx", 2, "es-c2")]
    assert [r.amount for r in rows] == [0.125, 1500.0]  # type: ignore[union-attr]
    assert rows[0].parties[0] == Party("customer", "Lucía Fernández", country="ES")  # type: ignore[union-attr]


def test_jsonl_keys_are_case_insensitive_and_blank_lines_are_not_counted():
    rows = read("exchange.jsonl", "NL")
    assert summary(rows) == [("tx", 1, "nl-c1"), ("tx", 2, "nl-c2")]
    first, second = rows
    assert first == Transaction(
        country="NL",
        business_date="2026-11-27",
        source_type="crypto",
        source_file="crypto/exchange.jsonl",
        source_row=1,
        tx_id="nl-c1",
        tx_timestamp_us=us("2026-11-27T09:00:00+00:00"),
        amount=1250.75,
        currency="USDC",
        parties=(
            Party("customer", "Sanne de Vries", account="k-1001", country="NL"),
            Party("counterparty", "Daan Bakker", crypto_address=ETH_ADDRESS),
        ),
        file_format="crypto-jsonl",
    )
    assert isinstance(second, Transaction)
    assert second.amount == 0.00001  # a JSON number written as 1e-05 by Python
    assert second.tx_timestamp_us == us("2026-11-27T08:30:00+00:00")
    assert second.parties == (
        Party("customer", "Lotte Visser"),
        Party("counterparty", None, crypto_address=BTC_ADDRESS),
    )


def test_bad_jsonl_lines_are_quarantined_one_by_one():
    rows = read("bad_exchange.jsonl", "NL")
    assert summary(rows) == [
        ("tx", 1, "nl-c3"),
        ("q", 2, ("line is not valid JSON: Expecting property name enclosed in double quotes: "
                  "line 1 column 140 (char 139)")),
        ("q", 3, "line is not a JSON object: list"),
        ("q", 4, ("amount not a number: 'lots'; timestamp not a date/time: 'yesterday'; "
                  "direction not in|out: 'both'")),
        ("q", 5, "missing required value: counterparty_address"),
        ("q", 6, "line is not valid UTF-8"),
    ]  # fmt: skip
    assert rows[2].raw_record == '["nl-c5", "2026-11-27T10:10:00Z"]'
    assert "J\ufffdr\ufffdme Peeters" in rows[5].raw_record


def test_unreadable_crypto_files_raise_feed_error(tmp_path: Path):
    folder = tmp_path / "crypto"
    folder.mkdir()
    no_address = folder / "no_address.csv"
    no_address.write_text("tx_id,timestamp,asset,amount,direction,customer_name\n")
    with pytest.raises(
        FeedError,
        match=r"^missing required column\(s\) in header: counterparty_address$",
    ):
        list(read_crypto_csv(str(no_address), ctx("no_address.csv")))
    garbage = folder / "exchange.jsonl.gz"
    garbage.write_bytes(b"not gzip")
    with pytest.raises(FeedError, match="^unreadable gzip"):
        list(read_crypto_jsonl(str(garbage), ctx("exchange.jsonl.gz")))
    zipped = folder / "exchange2.jsonl.gz"
    zipped.write_bytes(gzip.compress((CRYPTO / "exchange.jsonl").read_bytes()))
    assert [r.tx_id for r in read_feed(str(zipped), ctx("x"))] == ["nl-c1", "nl-c2"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name, expected",
    [("exchange.csv", "crypto-csv"), ("exchange.jsonl", "crypto-jsonl"),
     ("exchange.jsonl.gz", "crypto-jsonl"), ("exchange.xml", None), ("exchange.json", None)],
)  # fmt: skip
def test_detect_crypto_formats(name: str, expected: str | None):
    assert detect_format(str(CRYPTO / name)) == expected
