"""SWIFT MT103 reader on hand-written messages in the three envelopes (plain FIN, DOS-PCC with
ACK blocks, RJE), the field options 50K/50F/50A and 59/59F/59A, and broken messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import FeedError, FileContext, detect_format, read_feed, read_mt103
from transforms.feeds.mt103 import fields, parse_32a

BANK = Path(__file__).parent.parent / "fixtures" / "feeds" / "bank"


def ctx(name: str) -> FileContext:
    return FileContext("BE", "2026-11-27", "bank", f"bank/{name}")


def read(name: str) -> list[Transaction | QuarantineRow]:
    return list(read_mt103(str(BANK / name), ctx(name)))


def day(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()) * 1_000_000


def test_plain_fin_two_messages_with_50k_and_50f():
    first, second = read("mt103_two.fin")
    assert first == Transaction(
        country="BE", business_date="2026-11-27", source_type="bank", source_file="bank/mt103_two.fin",
        source_row=1, tx_id="NL-MT-0001", tx_timestamp_us=day("2026-11-27"), amount=25000.0, currency="EUR",
        parties=(Party("originator", "NOORDZEE BULK SHIPPING BV", "NL20INGB0001234567", "INGBNL2A"),
                 Party("beneficiary", "SCHELDEPOORT HANDEL NV", "BE68539007547034", "GEBABEBB")),
        remittance_info="/INV/2026-118 CHARTER MV MAREA AZUL IMO 9187629 /BNF/CONTRACT 88", file_format="mt103",
    )  # fmt: skip
    # 50F/59F: numbered name lines and country; no 52/57, so the agents come from the header
    assert second.parties == (  # type: ignore[union-attr]
        Party("originator", "TRANSPORTES RAPIDOS DEL SUR SL", "ES9121000418450200051332", "CAIXESBB", "ES"),
        Party("beneficiary", "SCHELDEPOORT HANDEL NV", "BE68539007547034", "GEBABEBB", "BE"),
    )
    assert (second.amount, second.currency, second.remittance_info) == (1800.5, "USD", None)  # type: ignore[union-attr]


def test_dos_pcc_envelope_skips_acks_and_reads_option_a_parties():
    rows = read("mt103.dos")
    assert [r.tx_id for r in rows] == ["NL-MT-0001", "ES-MT-0003"]  # type: ignore[union-attr]
    assert rows[1].parties == (Party("originator", None, "ES9121000418450200051332", "BBVAESMM"),  # type: ignore[union-attr]
                               Party("beneficiary", None, "BE68539007547034", "GEBABEBB"))  # fmt: skip


def test_rje_envelope_reads_like_the_others():
    assert [(r.source_row, r.tx_id) for r in read("mt103.rje")] == [(1, "NL-MT-0001"), (2, "ES-MT-0003")]  # type: ignore[union-attr]
    assert read("mt103.rje")[0] == read("mt103_two.fin")[0]._replace(source_file="bank/mt103.rje")  # type: ignore[union-attr]


def test_broken_messages_are_quarantined_with_their_reason():
    rows = read("mt103_bad.fin")
    assert all(isinstance(r, QuarantineRow) for r in rows)
    assert [(r.source_row, r.reason) for r in rows] == [
        (1, "missing field :32A: (value date, currency, amount)"),
        (2, "not an MT103 message (MT202)"),
        (3, "field :32A: not YYMMDD + currency + amount: '26112EUR1,0'"),
        (4, "text block {4: … -} missing or not terminated (truncated?)"),
    ]
    assert ":20:BAD-1" in rows[0].raw_record


def test_bare_text_block_and_missing_parties(tmp_path: Path):
    path = tmp_path / "bare.txt"
    path.write_text(":20:REF-1\n:32A:261127EUR10,\n:50K:ACME SHIPPING\n:59:/NL20INGB0001234567\nFOO BV\n-}\n"
                    ":20:REF-2\n:32A:261127EUR10,\n:71A:SHA\n")  # fmt: skip
    first, second = read_mt103(str(path), ctx("bare.txt"))
    assert isinstance(first, Transaction) and [p.name for p in first.parties] == ["ACME SHIPPING", "FOO BV"]
    assert isinstance(second, QuarantineRow)
    assert second.reason == "missing field :50a: (ordering customer); missing field :59a: (beneficiary customer)"


@pytest.mark.parametrize("name", ["mt103_two.fin", "mt103.dos", "mt103.rje", "mt103_bad.fin"])
def test_detected_by_extension_and_content(name: str):
    assert detect_format(str(BANK / name)) == "mt103"


def test_files_without_messages_fail_whole(tmp_path: Path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "empty.fin").write_bytes(b"")
    (folder / "notes.txt").write_text("nothing to see here\n")
    with pytest.raises(FeedError, match="^empty file$"):
        list(read_mt103(str(folder / "empty.fin"), ctx("empty.fin")))
    with pytest.raises(FeedError, match="no SWIFT MT message found"):
        list(read_mt103(str(folder / "notes.txt"), ctx("notes.txt")))
    with pytest.raises(FeedError, match="unrecognised file type 'bank/notes.txt': not a SWIFT MT message"):
        list(read_feed(str(folder / "notes.txt"), ctx("notes.txt")))


def test_field_parsing_helpers():
    assert fields(":20:A\n:70:LINE 1\nLINE 2\n:71A:SHA") == {"20": ["A"], "70": ["LINE 1", "LINE 2"], "71A": ["SHA"]}
    assert parse_32a("991231USD1,5") == (day("1999-12-31"), "USD", 1.5)
    with pytest.raises(ValueError):
        parse_32a("261127EUR1.5")  # SWIFT amounts use a decimal comma
