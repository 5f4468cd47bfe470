"""goAML export (BE, DE, NL): well-formed, valid against the XSD; the documented CSV for FR, IT, ES."""

import csv
import os
import xml.etree.ElementTree as ET

import pytest
from lxml import etree

from pipelines.cli import main
from pipelines.export_csv import CSV_COLUMNS
from pipelines.goaml import XSD_PATH, validate
from schemas.lookback import Suppression
from tests.conftest import make_list
from tests.pipelines.output_fixture import crypto_tx, demo_entries, demo_transactions, tx, write_day
from transforms.party_store import party_key
from transforms.suppress import SuppressionIndex

DATE = "2026-11-27"
DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "exports.md")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    txs = demo_transactions() + [
        tx("BE", "be-2", "Jan\x07 Peeters <jp@x>", "Noordzee Bulk Shipping", row=2, amount=12.5),
        tx("BE", "be-3", "Claes NV", "Noordzee Bulk", row=3, beneficiary_account="BE68539007547034"),
        crypto_tx("NL", "nl-c1", "Kees de Vries", "0x8589427373D6D84E98730D7795D8F6F8731FDA16", row=7),
    ]  # fmt: skip
    suppress = SuppressionIndex({"BE": [Suppression(party_key("Noordzee Bulk", "BE68539007547034"), "C-001", "x",
                                                    "reviewed", "2027-01-01")]}, DATE)  # fmt: skip
    write_day(str(out), DATE, txs, [make_list(demo_entries())], suppressions=suppress)
    return str(out)


def _export(root, country, path, *extra):
    return main(["export-goaml", "--output-root", root, "--country", country, "--business-date", DATE,
                 "--output", str(path), "--submission-date", "2026-11-28T06:00:00", *extra])  # fmt: skip


def test_nl_report_is_valid_against_the_xsd_with_both_sides(root, tmp_path, capsys):
    path = tmp_path / "nl.xml"
    assert _export(root, "NL", path, "--rentity-id", "4711") == 0
    assert "valid against" in capsys.readouterr().out
    assert validate(str(path)) == []
    report = ET.parse(path).getroot()
    assert [report.findtext(k) for k in ("rentity_id", "submission_code", "report_code", "submission_date",
                                         "currency_code_local")] == ["4711", "E", "STR", "2026-11-28T06:00:00", "EUR"]  # fmt: skip
    assert "3 transaction(s) matched 3 listed entries" in report.findtext("reason")
    txs = {t.findtext("transactionnumber"): t for t in report.findall("transaction")}
    assert set(txs) == {"nl-1", "nl-3", "nl-c1"}
    nl1 = txs["nl-1"]
    assert nl1.findtext("amount_local") == "18250.00" and nl1.findtext("date_transaction") == "2026-11-27T01:00:00"
    assert nl1.findtext("t_from/from_account/iban") == "NL91ABNA0417164300"
    assert nl1.findtext("t_from/from_account/account_name") == "Van Dijk Import BV"
    assert nl1.findtext("t_to/to_account/iban") == "NL20INGB0001234567" and nl1.findtext("t_to/to_country") == "NL"
    assert txs["nl-3"].findtext("t_to/to_entity/name") == "Oceanic Reefer Agency BV"
    assert "C-002" in txs["nl-3"].findtext("transaction_description")
    crypto = txs["nl-c1"]  # the exchange customer's account, the counterparty's address; ETH is no ISO currency
    assert crypto.findtext("transmode_code") == "VIRTUAL" and crypto.findtext("amount_local") == "0.00"
    assert crypto.findtext("t_to/to_account/account") == "0x8589427373D6D84E98730D7795D8F6F8731FDA16"
    assert crypto.findtext("t_from/from_account/non_bank_institution") == "true"
    assert crypto.find(".//currency_code") is None and "2.5 ETH" in crypto.findtext("comments")


def test_be_report_leaves_out_suppressed_alerts_and_survives_hostile_text(root, tmp_path):
    path = tmp_path / "be.xml"
    assert _export(root, "BE", path) == 0
    assert validate(str(path)) == []
    report = ET.parse(path).getroot()
    txs = {t.findtext("transactionnumber"): t for t in report.findall("transaction")}
    assert set(txs) == {"be-1", "be-2"}  # be-3 is a suppressed false positive
    assert txs["be-2"].findtext("t_from/from_entity/name") == "Jan Peeters <jp@x>"  # control char dropped, < escaped
    be1 = txs["be-1"]  # USD: no EUR value in the output, so amount_local is 0 and the comment says why
    assert be1.findtext("amount_local") == "0.00" and "5000 USD" in be1.findtext("comments")


def test_the_xsd_rejects_what_goaml_would_reject(root, tmp_path):
    path = tmp_path / "nl.xml"
    _export(root, "NL", path)
    doc = etree.parse(str(path))
    doc.getroot().remove(doc.getroot().find("rentity_id"))
    doc.getroot().find("transaction/t_from/from_country").text = "Netherlands"
    broken = tmp_path / "broken.xml"
    doc.write(str(broken))
    problems = validate(str(broken))
    assert any("rentity_id" in p for p in problems)
    assert etree.XMLSchema(etree.parse(XSD_PATH)).validate(etree.parse(str(path)))


def test_it_gets_the_documented_csv_with_defused_cells(root, tmp_path):
    path = tmp_path / "it.csv"
    assert _export(root, "IT", path) == 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    (row,) = rows
    assert row["matched_name"] == "<b>Evil</b> & =cmd|' /C calc'!A0 Trading"  # starts with '<': left as is
    assert row["party_name"].startswith("<b>Evil") and row["amount"] == "77.00" and row["lookback"] == "false"
    with open(DOCS, encoding="utf-8") as f:
        documented = f.read()
    assert all(f"`{c}`" in documented for c in CSV_COLUMNS)


def test_formula_cells_get_an_apostrophe(tmp_path):
    out = tmp_path / "out"
    entry = demo_entries()[0]._replace(name="=HYPERLINK(\"http://x\",\"Noordzee\")", aliases=())
    write_day(str(out), DATE, [tx("FR", "fr-9", "=HYPERLINK(\"http://x\",\"Noordzee\")", "Someone SA")],
              [make_list([entry])], countries=["FR"])  # fmt: skip
    path = tmp_path / "fr.csv"
    assert _export(str(out), "FR", path) == 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["party_name"].startswith("'=HYPERLINK") and row["matched_name"].startswith("'=")


def test_goaml_is_only_for_be_de_nl(root, tmp_path, capsys):
    assert _export(root, "FR", tmp_path / "fr.xml", "--format", "xml") == 2
    assert "does not take goAML" in capsys.readouterr().err
    assert _export(root, "NL", tmp_path / "x.xml", "--rentity-id", "0") == 2
    assert _export(root, "DE", tmp_path / "de.xml") == 0  # no alerts in DE: nothing to report
    assert not (tmp_path / "de.xml").exists() and "nothing written" in capsys.readouterr().out
