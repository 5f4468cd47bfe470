"""CSV dialects from `<input-root>/feeds.toml`: a German Windows-1252 bank export, a Dutch
statement naming only the counterparty, an exchange export with its own column names, and the
config errors that must fail a file rather than misread it."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import FeedError, FileContext, read_feed
from transforms.feeds.dialects import (
    CsvDialect,
    DialectError,
    amount_reader,
    date_reader,
    dialect_for,
    load_feeds_config,
    parse_feeds_config,
)

ROOT = Path(__file__).parent.parent / "fixtures" / "feeds" / "dialects"
DAY = ROOT / "2026-11-27"


def read(country: str, source_file: str, root: Path = ROOT) -> list[Transaction | QuarantineRow]:
    ctx = FileContext(country, "2026-11-27", source_file.split("/")[0], source_file)
    return list(read_feed(str(root / "2026-11-27" / country / source_file), ctx))


def summary(rows) -> list[tuple]:
    return [("tx", r.tx_id, r.amount) if isinstance(r, Transaction) else ("q", r.source_row, r.reason) for r in rows]


def test_german_export_cp1252_decimal_comma_and_row_ids():
    rows = read("DE", "bank/umsaetze_2026-11-27.csv")
    assert summary(rows) == [
        ("tx", "bank/umsaetze_2026-11-27.csv#1", 18250.0),  # the sign is dropped: both sides are named
        ("tx", "bank/umsaetze_2026-11-27.csv#2", 1020.5),
        ("q", 3, "booking_date not a date: '31.11.2026'"),
        ("q", 4, "amount not a number: '1,234,00'"),
    ]
    first = rows[0]
    assert isinstance(first, Transaction) and first.currency == "EUR"
    assert [(p.role, p.name) for p in first.parties] == [("originator", "Rheinische Schiffsausrüstung GmbH"),
                                                         ("beneficiary", "Noordzee Bulk Shipping B.V.")]  # fmt: skip
    assert first.tx_timestamp_us == 1795737600000000  # 27.11.2026
    assert rows[1].remittance_info == "Rechnung 4711 Überweisung"  # type: ignore[union-attr]


def test_dutch_statement_sides_follow_the_sign():
    rows = read("NL", "bank/bankexport.csv")
    assert summary(rows) == [
        ("tx", "bank/bankexport.csv#1", 4200.0),
        ("tx", "bank/bankexport.csv#2", 1250.0),
        ("q", 3, "missing required value: counterparty_name"),
    ]
    out, incoming = rows[0], rows[1]
    assert out.parties[:2] == (Party("originator", "Maasvlakte Koelhuis BV"),  # type: ignore[union-attr]
                               Party("beneficiary", "Transportes Rapidos del Sur SL"))  # fmt: skip
    assert incoming.parties[:2] == (Party("originator", "Van Dijk Koeltransport BV"),  # type: ignore[union-attr]
                                    Party("beneficiary", "Maasvlakte Koelhuis BV"))  # fmt: skip


def test_exchange_export_with_its_own_columns():
    rows = read("BE", "crypto/withdrawals_2026-11-27.csv")
    assert [r.tx_id if isinstance(r, Transaction) else r.source_row for r in rows] == ["0xaa01", "0xaa02", 3]
    first = rows[0]
    assert isinstance(first, Transaction) and (first.currency, first.amount) == ("ETH", 1.5)
    assert first.parties == (Party("customer", "Pieter Janssens"),
                             Party("counterparty", None, crypto_address="0x8589427373D6D84E98730D7795D8F6F8731FDA16"))  # fmt: skip
    reason = rows[2].reason  # type: ignore[union-attr]
    assert "missing required value: counterparty_address" in reason and "direction not in|out: 'Transfer'" in reason


def test_a_signed_exchange_export_without_direction_column_takes_it_from_the_sign():
    dialect = CsvDialect("x", "crypto", columns=(("qty", "amount"),))
    assert dialect.canonical({"amount": "-0.20", "tx_id": "t"}, "crypto/x.csv", 1) == {
        "amount": "0.20", "tx_id": "t", "direction": "out"}
    assert dialect.canonical({"amount": "0.20", "direction": "in"}, "crypto/x.csv", 1)["direction"] == "in"


def test_without_feeds_toml_the_canonical_layout_is_required(tmp_path: Path):
    day = tmp_path / "2026-11-27" / "DE" / "bank"
    day.mkdir(parents=True)
    (day / "umsaetze_2026-11-27.csv").write_bytes((DAY / "DE" / "bank" / "umsaetze_2026-11-27.csv").read_bytes())
    with pytest.raises(FeedError, match="header"):
        read("DE", "bank/umsaetze_2026-11-27.csv", tmp_path)


def test_a_bad_feeds_toml_fails_the_file_with_its_reason(tmp_path: Path):
    day = tmp_path / "2026-11-27" / "NL" / "bank"
    day.mkdir(parents=True)
    (day / "bankexport.csv").write_bytes((DAY / "NL" / "bank" / "bankexport.csv").read_bytes())
    (tmp_path / "feeds.toml").write_text('[feeds.x]\nfolder = "bank"\n[feeds.x.columns]\nBedrag = "amout"\n')
    with pytest.raises(FeedError, match=r"^feed dialect config: .*feeds.toml: feed 'x': 'amout' is not a bank column"):
        read("NL", "bank/bankexport.csv", tmp_path)


@pytest.mark.parametrize("text, message", [
    ("[feeds.x]\nfolder = 'bank'\ndelimiter = ':'\n", "delimiter must be one of"),
    ("[feeds.x]\nfolder = 'bank'\ndecimal = ','\nthousands = ','\n", "thousands and decimal separators are both"),
    ("[feeds.x]\nfolder = 'bank'\nencoding = 'klingon'\n", "unknown encoding 'klingon'"),
    ("[feeds.x]\nfolder = 'bank'\ndate_format = 'dd.mm.yyyy'\n", "date_format must be a strptime format"),
    ("[feeds.x]\nfolder = 'bank'\nseperator = ';'\n", r"unknown setting\(s\) \['seperator'\]"),
    ("[feeds.x]\nfolder = 'ledger'\n", "folder must be one of"),
    ("[feeds.x]\nfolder = 'crypto'\n[feeds.x.direction_values]\nsent = 'outgoing'\n", "must map to 'in' or 'out'"),
    ("[feed.x]\nfolder = 'bank'\n", r"only \[feeds.NAME\] tables are allowed"),
    ("[feeds.x\n", "not valid TOML"),
])  # fmt: skip
def test_config_errors_name_the_setting(text: str, message: str):
    with pytest.raises(DialectError, match=message):
        parse_feeds_config(text)


def test_most_specific_feed_wins():
    dialects = parse_feeds_config(
        "[feeds.any]\nfolder = 'bank'\n[feeds.de]\nfolder = 'bank'\ncountry = 'DE'\n"
        "[feeds.de-sparkasse]\nfolder = 'bank'\ncountry = 'DE'\nfiles = 'umsaetze_*.csv'\n")  # fmt: skip
    pick = lambda country, name: dialect_for(dialects, FileContext(country, "d", "bank", f"bank/{name}")).name  # type: ignore[union-attr]  # noqa: E731
    assert pick("DE", "UMSAETZE_1.csv.gz") == "de-sparkasse" and pick("DE", "other.csv") == "de"
    assert pick("NL", "umsaetze_1.csv") == "any"
    assert dialect_for(dialects, FileContext("DE", "d", "crypto", "crypto/x.csv")) is None


@pytest.mark.parametrize("decimal, thousands, text, expected", [
    (",", ".", "1.234,56", 1234.56), (",", ".", "1234,5", 1234.5), (",", ".", "12,00-", -12.0),  # reader: signed
    (".", ",", "1,234.56", 1234.56), (".", "'", "1'234.50", 1234.5), (",", " ", "1 234,5", 1234.5),
    (".", "", "1234", 1234.0),
])  # fmt: skip
def test_amounts_with_explicit_separators(decimal, thousands, text, expected):
    assert amount_reader(CsvDialect("x", "bank", decimal=decimal, thousands=thousands), False)(text) == expected


@pytest.mark.parametrize("text", ["1.23,4", "1,234.56", "12a", ""])
def test_amounts_that_do_not_fit_the_dialect_are_refused(text: str):
    with pytest.raises(ValueError):
        amount_reader(CsvDialect("x", "bank", decimal=",", thousands="."), False)(text)


def test_dates_read_with_the_dialect_format_only():
    read_date = date_reader(CsvDialect("x", "bank", date_format="%d/%m/%Y"))
    assert read_date("27/11/2026") == 1795737600000000
    with pytest.raises(ValueError):
        read_date("2026-11-27")


def test_config_file_is_loaded_and_cached():
    dialects = load_feeds_config(str(ROOT / "feeds.toml"))
    assert [d.name for d in dialects] == ["de-sparkasse", "nl-bank", "exchange-withdrawals"]
    assert load_feeds_config(str(ROOT / "feeds.toml")) is dialects
    assert dialects[0].encoding == "cp1252" and dialects[2].delimiter == "\t"
