"""pain.001 and camt.053 readers on hand-written messages (several versions), with the
malformed transfers and entries they must quarantine, and hostile or foreign XML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import FeedError, FileContext, detect_format, read_camt053, read_feed, read_pain001

BANK = Path(__file__).parent.parent / "fixtures" / "feeds" / "bank"


def ctx(name: str) -> FileContext:
    return FileContext("DE", "2026-11-27", "bank", f"bank/{name}")


def us(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1_000_000)


def summary(rows: list[Transaction | QuarantineRow]) -> list[tuple]:
    return [("tx", r.source_row, r.tx_id) if isinstance(r, Transaction) else ("q", r.source_row, r.reason)
            for r in rows]  # fmt: skip


def test_pain001_every_credit_transfer_is_screened_or_quarantined():
    rows = list(read_pain001(str(BANK / "pain001_v09.xml"), ctx("pain001_v09.xml")))
    assert summary(rows) == [
        ("tx", 1, "E2E-DE-0001"),
        ("tx", 2, "INSTR-2"),  # EndToEndId NOTPROVIDED → InstrId
        ("q", 3, "missing amount (Amt/InstdAmt or Amt/EqvtAmt/Amt)"),
        ("q", 4, "missing transaction id (PmtId/EndToEndId, InstrId or UETR); Amt/InstdAmt not a number: '12,5x'"),
    ]
    assert "<EndToEndId>E2E-DE-0003</EndToEndId>" in rows[2].raw_record  # type: ignore[union-attr]


def test_pain001_debtor_block_is_shared_and_ultimate_parties_resolve():
    first, second = list(read_pain001(str(BANK / "pain001_v09.xml"), ctx("pain001_v09.xml")))[:2]
    assert first == Transaction(
        country="DE", business_date="2026-11-27", source_type="bank", source_file="bank/pain001_v09.xml",
        source_row=1, tx_id="E2E-DE-0001", tx_timestamp_us=us("2026-11-27"), amount=18250.0, currency="EUR",
        parties=(
            Party("originator", "Rheinische Schiffsausrüstung GmbH", "DE89370400440532013000", "COBADEFFXXX", "DE"),
            Party("beneficiary", "Noordzee Bulk Shipping B.V.", "NL20INGB0001234567", "INGBNL2A", "NL"),
            Party("ultimate_originator", "Rheinland Beteiligungs AG"),
            Party("ultimate_beneficiary", "Marea Azul Chartering SA", country="PA"),
        ),
        remittance_info="Bunker charge MV MAREA AZUL IMO 9187629", file_format="pain.001",
    )  # fmt: skip
    assert (second.amount, second.currency) == (500.0, "USD")  # type: ignore[union-attr]
    assert Party("ultimate_originator", "Kölner Reederei KG") in second.parties  # type: ignore[union-attr]
    assert second.remittance_info == "Spare parts order 77"  # type: ignore[union-attr]


def test_pain001_version_03_date_without_dt_child():
    (row,) = read_pain001(str(BANK / "pain001.xml"), ctx("pain001.xml"))
    assert isinstance(row, Transaction) and row.tx_timestamp_us == us("2026-11-27T08:00:00")  # from CreDtTm
    assert [p.name for p in row.parties] == ["Hamburger Reederei Nord KG"]


def test_camt053_owner_is_the_side_the_money_reaches_or_leaves():
    rows = list(read_camt053(str(BANK / "camt053_v02.xml"), ctx("camt053_v02.xml")))
    assert summary(rows) == [
        ("tx", 1, "E2E-BE-C1"),
        ("tx", 2, "ASR-2-1"),  # EndToEndId NOTPROVIDED → AcctSvcrRef of the transaction
        ("tx", 3, "BATCH-3"),  # entry without TxDtls → one transaction named by its NtryRef
        ("tx", 4, "E2E-BE-C4A"),
        ("q", 5, "missing amount (Amt or AmtDtls/TxAmt/Amt or AmtDtls/InstdAmt/Amt)"),
        ("q", 6, "CdtDbtInd not CRDT|DBIT: None"),
    ]
    owner = ("Scheldepoort Handel NV", "BE68539007547034", "GEBABEBB", "BE")
    credit, debit, batch = rows[0], rows[1], rows[2]
    assert credit.parties == (Party("originator", "Noordzee Bulk Shipping BV", "NL20INGB0001234567", "INGBNL2A", "NL"),  # type: ignore[union-attr]
                              Party("beneficiary", *owner))  # fmt: skip
    assert debit.parties == (Party("originator", *owner),  # type: ignore[union-attr]
                             Party("beneficiary", "Transportes Rapidos del Sur SL", "ES9121000418450200051332",
                                   "CAIXESBBXXX"),
                             Party("ultimate_beneficiary", "Marea Azul"))  # fmt: skip
    assert debit.remittance_info == "Transport Valencia-Antwerpen"  # type: ignore[union-attr]
    assert batch.parties == (Party("originator", *owner),) and batch.amount == 300.0  # type: ignore[union-attr]
    assert batch.remittance_info == "Groupage virements 3 ordres"  # type: ignore[union-attr]
    assert credit.tx_timestamp_us == us("2026-11-26") and credit.file_format == "camt.053"  # type: ignore[union-attr]


def test_camt053_v08_party_wrapper_and_date_time():
    (row,) = read_camt053(str(BANK / "camt053_v08.xml"), ctx("camt053_v08.xml"))
    assert isinstance(row, Transaction) and row.tx_id == "7d3c1a2b-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    assert row.parties == (
        Party("originator", "Hanseatische Kuehlfracht GmbH und Co KG", "DE89370400440532013000", "COBADEFFXXX", "DE"),
        Party("beneficiary", "Maasvlakte Koelhuis BV", "NL20INGB0001234567", "INGBNL2AXXX"),
        Party("ultimate_originator", "Kapitan Shipping LLC"),
    )
    assert row.tx_timestamp_us == us("2026-11-27T09:15:00")


@pytest.mark.parametrize("name, fmt", [
    ("pain001_v09.xml", "pain.001"), ("pain001.xml", "pain.001"), ("camt053_v02.xml", "camt.053"),
    ("camt053_v08.xml", "camt.053"), ("pacs008_v08.xml", "pacs.008"),
])  # fmt: skip
def test_formats_are_sniffed_from_content(name: str, fmt: str):
    assert detect_format(str(BANK / name)) == fmt


def test_a_camt_file_without_xml_extension_is_still_found(tmp_path: Path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "STATEMENT_20261127").write_bytes((BANK / "camt053_v08.xml").read_bytes())
    assert [r.tx_id for r in read_feed(str(folder / "STATEMENT_20261127"), ctx("x"))] == [  # type: ignore[union-attr]
        "7d3c1a2b-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]


def test_wrong_message_hostile_or_truncated_xml_fails_the_file(tmp_path: Path):
    with pytest.raises(FeedError, match="^not a pain.001 message: root element <Document> in namespace "
                                        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02$"):
        list(read_pain001(str(BANK / "camt053_v02.xml"), ctx("x.xml")))
    with pytest.raises(FeedError, match="^not a camt.053 statement"):
        list(read_camt053(str(BANK / "pain001.xml"), ctx("x.xml")))
    with pytest.raises(FeedError, match="XML DTD/entity declarations are not allowed"):
        list(read_camt053(str(BANK / "entity.xml"), ctx("x.xml")))
    cut = tmp_path / "cut.xml"
    cut.write_bytes((BANK / "camt053_v02.xml").read_bytes()[:1500])
    with pytest.raises(FeedError, match="not well-formed XML"):
        list(read_camt053(str(cut), ctx("cut.xml")))
