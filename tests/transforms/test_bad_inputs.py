"""The bad-input corpus (tests/fixtures/bad_inputs, written by its make_corpus.py): for every
file, exactly which rows are quarantined and why, and that every other row is screened."""

from __future__ import annotations

import json
import os
from typing import NamedTuple

import pandas as pd
import pytest

from pipelines.cli import main
from schemas.records import FileStats, QuarantineRow, Transaction
from tests.conftest import FIXTURES
from transforms.feeds import FeedFile, FileContext
from transforms.read import MAX_RAW_CHARS, parse_file

CORPUS = os.path.join(FIXTURES, "bad_inputs", "input")
DATE = "2026-11-27"
NL = os.path.join(CORPUS, DATE, "NL")

# Reason fragments: a reader's own words, or the failing expectation as `type(column)`.
WINDOW = "days after the business date"
AMOUNT = "expect_column_values_to_be_between(amount)"
CURRENCY = "expect_column_values_to_be_in_set(currency)"
CONTROL = "control characters"
DUPLICATE = "expect_column_values_to_be_unique(tx_id)"
NAME_LENGTH = "name not 2-140 characters long"
WRONG_FIELDS = "wrong number of fields"
UNKNOWN_ADDRESS = "expect_column_values_to_be_in_set(counterparty_address_known)"
CHAIN = "expect_column_values_to_be_in_set(counterparty_address_fits_chain)"


class Case(NamedTuple):
    screened: tuple[int, ...]  # source rows that must come out as Transactions
    quarantined: dict[int, tuple[str, ...]]  # source row → one fragment per reason part, in any order
    file_error: str | None = None  # the file fails (a row-0 quarantine record) with this in its reason


CASES: dict[str, Case] = {
    # encodings, byte order marks, line endings
    "bank/utf8_bom.csv": Case((1, 2, 3), {}),
    "bank/crlf.csv": Case((1, 2, 3), {}),
    "bank/cr_only.csv": Case((1, 2, 3), {}),
    "bank/latin1_row.csv": Case((1, 3), {2: ("row is not valid UTF-8",)}),
    "bank/utf16.csv": Case((), {}, "file is not UTF-8 text"),
    "bank/binary_garbage.csv": Case((), {}, "missing required column(s) in header"),
    "bank/no_trailing_newline.csv": Case((1, 2, 3), {}),
    "bank/truncated_last_line.csv": Case((1, 2), {3: (WRONG_FIELDS,)}),
    "bank/blank_lines.csv": Case((1, 2, 3), {}),
    # columns and fields
    "bank/extra_field.csv": Case((1, 3), {2: ("wrong number of fields: 14, header has 13",)}),
    "bank/missing_field.csv": Case((1, 3), {2: ("wrong number of fields: 12, header has 13",)}),
    "bank/unknown_column.csv": Case((1, 2, 3), {}),
    "bank/missing_required_column.csv": Case((), {}, "missing required column(s) in header: beneficiary_name"),
    "bank/duplicate_column.csv": Case((), {}, "duplicate column(s) in header: amount"),
    "bank/repeated_header.csv": Case((1, 3), {2: ("amount not a number: 'amount'", "booking_date not a date")}),
    "bank/quoted_newline_remittance.csv": Case((1, 2, 3), {}),
    "bank/quoted_newline_name.csv": Case((1, 3), {2: (f"originator_name: {CONTROL}",)}),
    "bank/stray_quote.csv": Case((1,), {2: ("wrong number of fields: 5, header has 13",)}),  # swallows rows 3-4
    "bank/missing_values.csv": Case((), {1: ("missing required value: tx_id",),
                                         2: ("missing required value: beneficiary_name",),
                                         3: ("missing required value: amount, currency",)}),
    "bank/semicolon_decimal_comma.csv": Case((1, 2, 3), {}),
    # ids, dates, currencies, amounts
    "bank/duplicate_tx_id.csv": Case((2,), {1: (DUPLICATE,), 3: (DUPLICATE,)}),
    "bank/impossible_date.csv": Case((2,), {1: ("booking_date not a date: '2026-02-30'",),
                                            3: ("booking_date not a date: '2026-13-01'",)}),
    "bank/date_outside_window.csv": Case((3, 4), {1: (WINDOW,), 2: (WINDOW,)}),
    "bank/date_formats.csv": Case((1, 3), {2: ("not a date: '11/27/2026'",), 4: ("not a date: 'yesterday'",)}),
    "bank/unknown_currency.csv": Case((4, 5), {1: ("'XYZ'",), 2: ("'EURO'",), 3: ("'XXX'",)}),
    "bank/negative_and_zero_amount.csv": Case((3,), {1: (AMOUNT,), 2: (AMOUNT,)}),
    "bank/non_numeric_amount.csv": Case((5,), {1: ("amount not a number: 'abc'",), 2: ("'12,34,56'",),
                                               3: ("'1e5'",), 4: ("'NaN'",)}),
    "bank/huge_amount.csv": Case((2,), {1: (AMOUNT,)}),
    # names and free text
    "bank/name_100kb.csv": Case((1, 3), {2: (NAME_LENGTH,)}),
    "bank/field_200kb.csv": Case((2,), {1: ("remittance_info: longer than 1000 characters",)}),
    "bank/control_chars.csv": Case((5,), {1: (f"originator_name: {CONTROL}",), 2: (f"beneficiary_name: {CONTROL}",),
                                          3: (f"originator_name: {CONTROL}",), 4: (f"tx_id: {CONTROL}",)}),
    "bank/short_name.csv": Case((2,), {1: (NAME_LENGTH,)}),
    "bank/names_without_letters.csv": Case((3, 4), {1: ("beneficiary_name: no letter or digit",),
                                                    2: ("originator_name: no letter or digit",)}),
    "bank/formula_names.csv": Case((1, 2, 3), {}),
    # bank identifiers and countries
    # a mistyped IBAN or BIC is a warning in the validation results: the row is still screened
    "bank/bad_iban.csv": Case((1, 2, 3, 4), {}),
    "bank/bad_bic.csv": Case((1, 2, 3, 4), {}),
    "bank/bad_country.csv": Case((3,), {1: ("originator_country: not an ISO 3166-1",),
                                        2: ("beneficiary_country: not an ISO 3166-1",)}),
    # whole files
    "bank/empty.csv": Case((), {}, "empty file"),
    "bank/whitespace_only.csv": Case((), {}, "empty file"),
    "bank/header_only.csv": Case((), {}),
    "bank/gzip_garbage.csv.gz": Case((), {}, "unreadable gzip"),
    "bank/truncated.csv.gz": Case(tuple(range(1, 181)), {}, "unreadable gzip (truncated or corrupt)"),
    "bank/plain_text_named.csv.gz": Case((), {}, "unreadable gzip: Not a gzipped file"),
    "bank/payments.txt": Case((), {}, "unrecognised file type 'bank/payments.txt'"),
    "bank/stray.pdf": Case((), {}, "unrecognised file type 'bank/stray.pdf'"),
    # ISO 20022 pacs.008 and hostile XML
    "bank/pacs008_missing_blocks.xml": Case((1, 6), {2: ("originator_name: missing",),
                                                     3: ("missing amount (IntrBkSttlmAmt or InstdAmt)",),
                                                     4: ("missing transaction id",),
                                                     5: ("beneficiary_name: missing",)}),
    "bank/pacs008_bad_values.xml": Case((3, 5), {1: (CURRENCY,), 2: (AMOUNT,), 4: (WINDOW,)}),
    "bank/pacs008_duplicate_ids.xml": Case((2,), {1: (DUPLICATE,), 3: (DUPLICATE,)}),
    "bank/pacs008_no_transactions.xml": Case((), {}),
    "bank/billion_laughs.xml": Case((), {}, "XML DTD/entity declarations are not allowed"),
    "bank/external_entity.xml": Case((), {}, "XML DTD/entity declarations are not allowed"),
    "bank/truncated.xml": Case((), {}, "not well-formed XML (broken or truncated)"),
    "bank/not_xml.xml": Case((), {}, "unrecognised file type 'bank/not_xml.xml'"),
    "bank/invalid_utf8.xml": Case((), {}, "not well-formed XML"),
    # crypto CSV and JSON lines
    "crypto/bad_addresses.csv": Case((1, 5), {2: (UNKNOWN_ADDRESS,), 3: (CHAIN,), 4: (CHAIN,), 6: (UNKNOWN_ADDRESS,)}),
    "crypto/bad_direction.csv": Case((2,), {1: ("direction not in|out: 'sideways'",)}),
    "crypto/bad_asset.csv": Case((2,), {1: ("'US DOLLAR'",), 3: ("asset: not an asset symbol",)}),
    "crypto/timestamps.csv": Case((3,), {1: (WINDOW,), 2: ("timestamp not a date/time",)}),
    "crypto/broken_lines.jsonl": Case((1, 5, 8), {2: ("line is not valid JSON: Unterminated string",),
                                                  3: ("line is not a JSON object: list",),
                                                  4: ("line is not a JSON object: NoneType",),
                                                  6: ("line is not valid JSON: maximum recursion depth",),
                                                  7: ("line is not valid UTF-8",)}),
    "crypto/jsonl_values.jsonl": Case((5,), {1: (AMOUNT,), 2: ("not a positive amount up to 1e+15: inf",),
                                             3: ("amount not a number: 'abc'",),
                                             4: ("missing required value: counterparty_address",)}),
    "crypto/exchange.xlsx": Case((), {}, "crypto files must be .csv, .jsonl"),
}  # fmt: skip


def _parse(rel: str) -> list:
    ctx = FileContext("NL", DATE, rel.split("/")[0], rel)
    return list(parse_file(FeedFile(os.path.join(NL, rel), ctx)))


def _matches(parts: list[str], fragments: tuple[str, ...]) -> bool:
    """Every reason part is named by exactly one fragment (and the counts agree)."""
    left = list(parts)
    for fragment in fragments:
        hit = next((p for p in left if fragment in p), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def test_the_corpus_has_at_least_forty_kinds_and_every_file_a_case():
    on_disk = {os.path.relpath(os.path.join(base, n), NL) for base, _, names in os.walk(NL) for n in names}
    assert on_disk == set(CASES)
    assert len(CASES) >= 40


@pytest.mark.parametrize("rel", sorted(CASES))
def test_exactly_the_bad_rows_are_quarantined_with_their_reasons(rel):
    case = CASES[rel]
    out = _parse(rel)
    stats = [o for o in out if isinstance(o, FileStats)]
    rows = [o for o in out if isinstance(o, QuarantineRow) and o.source_row > 0]
    whole = [o for o in out if isinstance(o, QuarantineRow) and o.source_row == 0]
    screened = [o.source_row for o in out if isinstance(o, Transaction)]
    assert len(stats) == 1
    s = stats[0]
    assert sorted(screened) == list(case.screened)
    assert {q.source_row: q.reason for q in rows}.keys() == case.quarantined.keys()
    for q in rows:
        assert _matches(q.reason.split("; "), case.quarantined[q.source_row]), (q.source_row, q.reason)
        assert q.raw_record and len(q.raw_record) <= MAX_RAW_CHARS + 40
    assert s.rows_read == s.rows_screened + s.rows_quarantined == len(screened) + len(rows)
    if case.file_error is None:
        assert s.status == "ok" and not whole
    else:
        assert s.status == "failed" and len(whole) == 1
        assert case.file_error in whole[0].reason and whole[0].reason.startswith("file could not be read")


def test_quarantined_rows_keep_their_original_text():
    rows = {q.source_row: q for q in _parse("bank/unknown_currency.csv") if isinstance(q, QuarantineRow)}
    assert rows[1].raw_record.startswith("nl-1,2026-11-27,1001.50,XYZ,Van Dijk Import BV,NL91ABNA0417164300")
    jsonl = {q.source_row: q for q in _parse("crypto/jsonl_values.jsonl") if isinstance(q, QuarantineRow)}
    assert json.loads(jsonl[1].raw_record)["amount"] == -0.5
    xml = {q.source_row: q for q in _parse("bank/pacs008_bad_values.xml") if isinstance(q, QuarantineRow)}
    assert xml[1].raw_record.startswith("<CdtTrfTxInf><PmtId><EndToEndId>px-1</EndToEndId>")
    assert 'Ccy="ZZZ"' in xml[1].raw_record


def test_a_100_kb_name_is_cut_in_the_quarantine_and_says_so():
    (q,) = [q for q in _parse("bank/name_100kb.csv") if isinstance(q, QuarantineRow)]
    assert q.raw_record.startswith("nl-2,2026-11-27,") and q.raw_record.endswith("characters in all]")
    assert len(q.raw_record) < MAX_RAW_CHARS + 40


def test_hostile_xml_is_rejected_before_any_entity_is_expanded():
    for rel in ("bank/billion_laughs.xml", "bank/external_entity.xml"):
        out = _parse(rel)
        assert not [o for o in out if isinstance(o, Transaction)]
        assert "root:" not in " ".join(o.reason for o in out if isinstance(o, QuarantineRow))  # no /etc/passwd


def test_the_whole_corpus_runs_through_fiu_screen_and_every_row_is_accounted_for(tmp_path):
    out = tmp_path / "out"
    coalition = os.path.join(FIXTURES, "e2e", "coalition.csv")
    code = main(["run", "--input-root", CORPUS, "--output-root", str(out), "--business-date", DATE,
                 "--country", "NL", "--watchlist", f"coalition:{coalition}"])  # fmt: skip
    assert code == 3  # some files fail as a whole; everything else is written
    manifest = json.loads((out / "manifests" / f"business_date={DATE}" / "country=NL.json").read_text())
    files = {f["path"]: f for f in manifest["files"]}
    assert files.keys() == CASES.keys()
    for rel, case in CASES.items():
        f = files[rel]
        assert (f["rows_screened"], f["rows_quarantined"]) == (len(case.screened), len(case.quarantined)), rel
        assert f["rows_read"] == f["rows_screened"] + f["rows_quarantined"]
        assert f["status"] == ("ok" if case.file_error is None else "failed"), rel
    quarantine = pd.read_parquet(out / "quarantine")
    written = {(r.source_file, r.source_row) for r in quarantine.itertuples()}
    expected = {(rel, row) for rel, case in CASES.items() for row in case.quarantined}
    expected |= {(rel, 0) for rel, case in CASES.items() if case.file_error}
    assert written == expected
