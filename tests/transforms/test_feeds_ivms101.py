"""IVMS101 travel-rule reader: a JSON array (envelope and bare payload) and JSON lines with the
malformed messages it must quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import FeedError, FileContext, detect_format, read_feed, read_ivms101

CRYPTO = Path(__file__).parent.parent / "fixtures" / "feeds" / "crypto"


def ctx(name: str) -> FileContext:
    return FileContext("BE", "2026-11-27", "crypto", f"crypto/{name}")


def read(name: str) -> list[Transaction | QuarantineRow]:
    return list(read_ivms101(str(CRYPTO / name), ctx(name)))


def test_envelope_persons_accounts_and_vasps():
    envelope, _ = read("travel_rule.json")
    assert isinstance(envelope, Transaction)
    assert envelope.tx_id == "0x5c7a1e2d3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80"
    assert (envelope.amount, envelope.currency, envelope.file_format) == (12.5, "ETH", "ivms101")
    assert envelope.tx_timestamp_us == 1795772460000000  # 2026-11-27T09:41:00Z
    assert envelope.parties == (
        Party("originator", "Pieter Janssens", "CUST-BE-0042", None, "BE", "0x71c7656ec7ab88b098defb751b7401b5f6d8976f"),
        Party("originator", "Piet Janssens"),  # the alias is screened too
        Party("beneficiary", "Transportes Rapidos del Sur SL", None, None, "ES",
              "0x8589427373D6D84E98730D7795D8F6F8731FDA16"),
        Party("originating_vasp", "Scheldt Crypto Exchange NV", country="BE"),
        Party("beneficiary_vasp", "Kapitan Shipping LLC"),
    )  # fmt: skip


def test_bare_payload_gets_a_row_id_and_every_account():
    _, bare = read("travel_rule.json")
    assert isinstance(bare, Transaction)
    assert (bare.tx_id, bare.source_row, bare.amount, bare.currency) == ("crypto/travel_rule.json#2", 2, None, None)
    assert bare.parties == (
        Party("originator", "Maasvlakte Koelhuis BV", "C-77", None, "NL", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        Party("originator", "MKH Rotterdam"),
        Party("beneficiary", "Thijs Hoogendraak", None, None, None, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        Party("beneficiary", "Тейс Хогендрак"),  # local-script name
        Party("beneficiary", None, crypto_address="3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    )  # fmt: skip


def test_json_lines_with_malformed_messages_quarantined():
    rows = read("travel_rule.jsonl")
    summary = [(r.source_row, r.tx_id if isinstance(r, Transaction) else r.reason) for r in rows]
    assert summary[0] == (1, "tr-nl-1")
    assert summary[1][0] == 2 and summary[1][1].startswith("line is not valid JSON")
    assert summary[2:] == [
        (3, "originatorPersons[0] has no name (nameIdentifier); beneficiaryPersons[0] is neither a naturalPerson "
            "nor a legalPerson"),
        (4, "message is not a JSON object: list"),
        (5, "no IVMS101 payload (originator / beneficiary objects)"),
        (6, "amount not a number: 'lots'; timestamp not a date/time: 'yesterday'"),
    ]  # fmt: skip
    good = rows[0]
    assert isinstance(good, Transaction) and (good.amount, good.currency) == (0.75, "BTC")
    assert [p.name for p in good.parties] == ["Anke Visser", "Noordzee Bulk Shipping BV"]
    assert rows[3].raw_record == "[1, 2]"


def test_detection_json_and_jsonl(tmp_path: Path):
    assert detect_format(str(CRYPTO / "travel_rule.json")) == "ivms101"
    assert detect_format(str(CRYPTO / "travel_rule.jsonl")) == "ivms101"  # first line is a travel-rule message
    assert detect_format(str(CRYPTO / "exchange.jsonl")) == "crypto-jsonl"
    folder = tmp_path / "crypto"
    folder.mkdir()
    (folder / "prices.json").write_text('{"BTC": 1}')
    with pytest.raises(FeedError, match="JSON is not an IVMS101 travel-rule message"):
        list(read_feed(str(folder / "prices.json"), ctx("prices.json")))


def test_unparseable_json_document_fails_the_file(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('[{"originator": {"originatorPersons": [')
    with pytest.raises(FeedError, match="^not valid JSON"):
        list(read_ivms101(str(path), ctx("broken.json")))
