"""Bank CSV reader, the shared value parsers and format dispatch, on small hand-written files."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import (
    FeedError,
    FileContext,
    detect_format,
    read_bank_csv,
    read_feed,
)
from transforms.feeds.common import parse_amount, parse_timestamp

BANK = Path(__file__).parent.parent / "fixtures" / "feeds" / "bank"
HEADER = "tx_id,booking_date,amount,currency,originator_name,beneficiary_name"


def ctx(name: str, country: str = "BE") -> FileContext:
    return FileContext(country, "2026-11-27", "bank", f"bank/{name}")


def us(iso: str) -> int:
    """Epoch microseconds of an ISO time, computed independently of the reader."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def read(name: str, country: str = "BE") -> list[Transaction | QuarantineRow]:
    return list(read_bank_csv(str(BANK / name), ctx(name, country)))


def summary(rows: list[Transaction | QuarantineRow]) -> list[tuple[str, int, str]]:
    """(kind, source_row, tx_id or reason) per record, for compact exact assertions."""
    return [
        ("tx", r.source_row, r.tx_id)
        if isinstance(r, Transaction)
        else ("q", r.source_row, r.reason)
        for r in rows
    ]


def test_comma_csv_maps_every_column_whatever_the_header_case_and_order():
    rows = read("payments.csv")
    assert summary(rows) == [
        ("tx", 1, "be-001"),
        ("tx", 2, "be-002"),
        ("tx", 3, "be-003"),
    ]
    assert rows[0] == Transaction(
        country="BE",
        business_date="2026-11-27",
        source_type="bank",
        source_file="bank/payments.csv",
        source_row=1,
        tx_id="be-001",
        tx_timestamp_us=us("2026-11-27"),
        amount=18250.0,
        currency="EUR",
        parties=(
            Party(
                "originator",
                "Brouwerij Van Damme NV",
                "BE68539007547034",
                "GEBABEBB",
                "BE",
            ),
            Party(
                "beneficiary",
                "Antwerp Bulk Terminals NV",
                "BE86310123456789",
                "KREDBEBB",
                "BE",
            ),
            Party("ultimate_originator", "Van Damme Holding NV"),
            Party("ultimate_beneficiary", "Mediterranean Reefer Lines SA"),
        ),
        remittance_info="invoice 2026/1187 demurrage",
        reporting_entity="BNP Paribas Fortis",
        file_format="bank-csv",
    )


def test_quoted_fields_grouped_amounts_and_offsets():
    _, second, third = read("payments.csv")
    assert isinstance(second, Transaction) and isinstance(third, Transaction)
    assert second.amount == 1234.56 and second.currency == "EUR"  # "1,234.56", "eur"
    assert second.parties[0].name == "Dupont, Lefèvre & Fils SA"
    assert second.parties[1] == Party(
        "beneficiary",
        "Société Générale de Transport Maritime",
        "FR7630006000011234567890189",
        "BNPAFRPP",
        "FR",
    )
    assert second.remittance_info == "freight Antwerp → Le Havre, BL 4471"
    assert len(second.parties) == 2  # empty ultimate names add no party
    assert third.tx_timestamp_us == us("2026-11-27T15:45:00+00:00")
    assert third.parties[1] == Party("beneficiary", "Peeters Transport BVBA")
    assert third.remittance_info is None and third.reporting_entity is None


def test_semicolon_csv_with_bom_crlf_and_decimal_comma():
    rows = read("payments_semicolon.csv", "DE")
    assert summary(rows) == [
        ("tx", 1, "de-001"),
        ("tx", 2, "de-002"),
        ("tx", 3, "de-003"),
    ]
    assert [r.amount for r in rows] == [1234.56, 18250.0, 18250.0]  # type: ignore[union-attr]
    assert {r.tx_timestamp_us for r in rows} == {us("2026-11-27")}  # type: ignore[union-attr]
    first, second, third = rows
    assert isinstance(first, Transaction) and isinstance(second, Transaction)
    assert first.parties[0] == Party(
        "originator", "Müller Schiffsbedarf GmbH", "DE89370400440532013000", None, "DE"
    )
    assert second.parties[1].name == "Spedition Weiß; Söhne GmbH"
    assert second.remittance_info == "Lieferung KW48"  # no stray '\r' from CRLF
    assert isinstance(third, Transaction) and third.currency == "CHF"


def test_gzip_csv_by_name_and_by_magic(tmp_path: Path):
    rows = read("payments.csv.gz", "NL")
    assert summary(rows) == [("tx", 1, "nl-1"), ("tx", 2, "nl-2")]
    renamed = tmp_path / "bank" / "payments.csv"
    renamed.parent.mkdir()
    shutil.copy(BANK / "payments.csv.gz", renamed)
    assert rows == list(read_bank_csv(str(renamed), ctx("payments.csv.gz", "NL")))


def test_bad_rows_are_quarantined_with_their_reason():
    rows = read("bad_rows.csv", "FR")
    assert summary(rows) == [
        ("tx", 1, "fr-001"),
        ("q", 2, "amount not a number: 'abc'"),
        ("q", 3, "wrong number of fields: 8, header has 9"),
        ("q", 4, "missing required value: tx_id"),
        ("q", 5, "booking_date not a date: '2026-13-45'"),
        ("q", 6, "row is not valid UTF-8"),
        (
            "q",
            7,
            "missing required value: beneficiary_name; amount not a number: '12;5'",
        ),
        ("tx", 8, "fr-008"),
    ]
    assert rows[1] == QuarantineRow(
        "FR",
        "2026-11-27",
        "bank",
        "bank/bad_rows.csv",
        2,
        "fr-002,2026-11-27,abc,EUR,Garage Moreau SARL,Transports Lefebvre SAS,FR,FR,acompte",
        "amount not a number: 'abc'",
    )
    assert rows[5].raw_record.startswith(
        "fr-006,2026-11-27,42.00,EUR,Caf\ufffd de la Gare"
    )
    last = rows[7]
    assert isinstance(last, Transaction)
    assert last.parties[0].name == "Électricité Lambert SARL"
    assert last.parties[1].name == "Rousseau, Fontaine & Cie"
    assert last.remittance_info == "ligne 1\nligne 2"


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing_column.csv", "missing required column(s) in header: amount"),
        ("empty.csv", "empty file"),
        ("garbage.csv.gz", "unreadable gzip: Not a gzipped file (b'th')"),
    ],
)
def test_unreadable_files_raise_feed_error(name: str, message: str):
    with pytest.raises(FeedError) as err:
        read(name)
    assert str(err.value) == message


def test_truncated_gzip_fails_after_the_rows_it_could_read():
    rows: list[Transaction | QuarantineRow] = []
    reader = read_bank_csv(str(BANK / "truncated.csv.gz"), ctx("truncated.csv.gz"))
    with pytest.raises(FeedError, match=r"^unreadable gzip \(truncated or corrupt\)"):
        rows.extend(reader)  # keeps the rows yielded before the error
    assert rows and all(isinstance(r, Transaction) for r in rows)
    assert [r.source_row for r in rows] == list(range(1, len(rows) + 1))


def test_header_only_file_has_no_rows_and_tab_delimiter_is_sniffed(tmp_path: Path):
    only_header = tmp_path / "header.csv"
    only_header.write_text(HEADER + "\n")
    assert list(read_bank_csv(str(only_header), ctx("header.csv"))) == []
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text(
        HEADER.replace(",", "\t")
        + "\nes-1\t2026-11-27\t1,500.25\tEUR\tNavieras Peñalver SL\tX\n"
    )
    (row,) = read_bank_csv(str(tabbed), ctx("tabbed.csv"))
    assert isinstance(row, Transaction) and row.amount == 1500.25  # tab: decimal point


@pytest.mark.parametrize(
    "content, message",
    [
        (HEADER + ",TX_ID\n", "duplicate column(s) in header: tx_id"),
        (
            (HEADER + "\n").encode("utf-16"),
            "file is not UTF-8 text (header line cannot be decoded)",
        ),
    ],
)
def test_bad_headers_raise_feed_error(
    tmp_path: Path, content: str | bytes, message: str
):
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(FeedError) as err:
        list(read_bank_csv(str(path), ctx("bad.csv")))
    assert str(err.value) == message


AMOUNTS = [
    ("18250.00", False, 18250.0),
    ("1,234.56", False, 1234.56),
    ("1,234,567", False, 1234567.0),
    (" -12.5 ", False, -12.5),
    ("1.234,56", True, 1234.56),
    ("1234,5", True, 1234.5),
    ("1.234", True, 1234.0),
    ("18250.00", True, 18250.0),  # a machine-written decimal point in a ';' feed
    ("1 234,56", True, 1234.56),
    ("0", False, 0.0),
    ("+7.25", False, 7.25),  # plain numbers take a fast path: the same values
    ("-5", True, -5.0),
    ("1234", True, 1234.0),
]


@pytest.mark.parametrize("text, decimal_comma, expected", AMOUNTS)
def test_parse_amount(text: str, decimal_comma: bool, expected: float):
    assert parse_amount(text, decimal_comma) == expected


@pytest.mark.parametrize(
    "text, decimal_comma",
    [("abc", False), ("", False), ("12,5", False), ("1,23.4", False), ("1e5", False),
     ("nan", False), ("1.2.3", True), ("1,2,3", True), ("12;5", False)],
)  # fmt: skip
def test_parse_amount_rejects(text: str, decimal_comma: bool):
    with pytest.raises(ValueError):
        parse_amount(text, decimal_comma)


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2026-11-27", "2026-11-27T00:00:00+00:00"),
        ("27.11.2026", "2026-11-27T00:00:00+00:00"),
        ("27/11/2026", "2026-11-27T00:00:00+00:00"),
        ("1.2.2026", "2026-02-01T00:00:00+00:00"),
        ("2026-11-27T10:15:00Z", "2026-11-27T10:15:00+00:00"),
        ("2026-11-27T10:15:00.123456+01:00", "2026-11-27T09:15:00.123456+00:00"),
        ("2026-11-27 10:15:00", "2026-11-27T10:15:00+00:00"),
    ],
)
def test_parse_timestamp(text: str, iso: str):
    assert parse_timestamp(text) == us(iso)


@pytest.mark.parametrize(
    "text", ["2026-13-45", "31.02.2026", "11/27/2026", "yesterday", "2026", ""]
)
def test_parse_timestamp_rejects(text: str):
    with pytest.raises(ValueError):
        parse_timestamp(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_parse_amount_reads_what_locale_formatting_writes(cents: int):
    sign, whole, frac = "-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100
    dotted = f"{sign}{whole:,}.{frac:02d}"
    comma = f"{sign}{whole:,}".replace(",", ".") + f",{frac:02d}"
    assert parse_amount(dotted) == cents / 100
    assert parse_amount(comma, decimal_comma=True) == cents / 100


NAMES = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), max_size=8), st.sampled_from([",", ";", "\t"]))
def test_every_written_row_is_read_back_once(tmp_path_factory, pairs, delimiter: str):
    path = tmp_path_factory.mktemp("rt") / "rt.csv"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER.split(","))
    for i, (originator, beneficiary) in enumerate(pairs):
        writer.writerow([f"t{i}", "2026-11-27", "10", "EUR", originator, beneficiary])
    path.write_bytes(gzip.compress(out.getvalue().encode()))
    rows = list(read_bank_csv(str(path), ctx("rt.csv")))
    assert [r.source_row for r in rows] == list(range(1, len(pairs) + 1))
    assert all(isinstance(r, Transaction) for r in rows)
    assert [(r.parties[0].name, r.parties[1].name) for r in rows] == pairs  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "relpath, expected",
    [
        ("bank/payments.csv", "bank-csv"),
        ("bank/payments.csv.gz", "bank-csv"),
        ("bank/PAYMENTS.CSV", "bank-csv"),
        ("bank/pacs008_v08.xml", "pacs.008"),
        ("bank/pain001.xml", "pain.001"),
        ("bank/not_xml.xml", None),
        ("crypto/exchange.csv", "crypto-csv"),
        ("crypto/exchange.jsonl", "crypto-jsonl"),
    ],
)
def test_detect_format_by_folder_and_extension(relpath: str, expected: str | None):
    assert detect_format(str(BANK.parent / relpath)) == expected


def test_read_feed_dispatches_and_refuses_unknown_files():
    rows = list(read_feed(str(BANK / "payments.csv"), ctx("payments.csv")))
    assert rows == read("payments.csv")
    with pytest.raises(
        FeedError, match=r"^unrecognised file type 'bank/not_xml.xml': not a bank CSV, XML or SWIFT MT"
    ):
        list(read_feed(str(BANK / "not_xml.xml"), ctx("not_xml.xml")))
