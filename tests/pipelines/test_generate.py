"""`generate`: layout, headers, valid identifiers, planted hits that match the ground truth,
byte-for-byte determinism and a well-formed pacs.008."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipelines.generate import (
    BANK_CSV_COLUMNS,
    CRYPTO_COLUMNS,
    TRUTH_COLUMNS,
    GenerateSummary,
    _write_csv,
    _write_jsonl,
    generate,
)
from pipelines.generate_hits import legal_form, name_variants
from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.identifiers import crypto_chain, iban_check_ok, imo_check_ok

DATE = "2026-11-27"
COUNTRIES = ("BE", "NL")
FEEDS = ("bank/payments.csv", "bank/pacs008.xml", "crypto/exchange.csv", "crypto/exchange.jsonl")
IBAN_LENGTHS = {"BE": 16, "DE": 22, "FR": 27, "IT": 27, "ES": 24, "NL": 18}
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"}
EVM = "0x8589427373d6d84e98730d7795d8f6f8731fda16"
ENTRIES = (
    WatchlistEntry("C-0001", "coalition", "vessel", "ARCTIC SUNRISE", (Alias("ARCTIC SUN"),),
                   ("RU",), (Identifier("imo", "9187629"),)),
    WatchlistEntry("C-0002", "coalition", "organization", "Nordic Freight Holding B.V.",
                   (Alias("NFH", weak=True),), ("NL",),
                   (Identifier("crypto_address", EVM, "ETH"),)),
    WatchlistEntry("36125", "ofac_sdn", "organization", "SOVCOMFLOT PJSC",
                   (Alias("SCF GROUP"),), ("RU",)),
)
BANK_CSV_ROLES = {"originator": "originator_name", "beneficiary": "beneficiary_name",
                  "ultimate_originator": "ultimate_originator_name",
                  "ultimate_beneficiary": "ultimate_beneficiary_name",
                  "remittance": "remittance_info"}
PACS_ROLES = {"originator": "p:Dbtr/p:Nm", "beneficiary": "p:Cdtr/p:Nm",
              "ultimate_originator": "p:UltmtDbtr/p:Nm", "ultimate_beneficiary": "p:UltmtCdtr/p:Nm",
              "remittance": "p:RmtInf/p:Ustrd"}


def _run(root: Path, seed: int = 11, **kw: object) -> GenerateSummary:
    return generate(str(root), DATE, list(COUNTRIES), 600, seed, ENTRIES, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    root = tmp_path_factory.mktemp("gen")
    return root, _run(root)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _pacs(path: Path) -> list[ET.Element]:
    return ET.parse(path).getroot().findall("p:FIToFICstmrCdtTrf/p:CdtTrfTxInf", NS)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_files_sit_in_the_input_layout(out: tuple[Path, GenerateSummary]) -> None:
    root, summary = out
    expected = [str(root / DATE / cc / feed) for cc in COUNTRIES for feed in FEEDS]
    assert list(summary.files) == [*expected, str(root / DATE / "ground_truth.csv")]
    assert all(os.path.isfile(p) for p in summary.files)
    assert summary.truth_path == str(root / DATE / "ground_truth.csv")
    assert summary.transactions == {"BE": 300, "NL": 300}
    assert not list(root.rglob("*.tmp"))


def test_headers_are_exactly_the_contract(out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    for cc in COUNTRIES:
        for feed, columns in (("bank/payments.csv", BANK_CSV_COLUMNS),
                              ("crypto/exchange.csv", CRYPTO_COLUMNS)):
            with open(root / DATE / cc / feed, encoding="utf-8", newline="") as f:
                assert next(csv.reader(f)) == list(columns)
        assert all(list(obj) == list(CRYPTO_COLUMNS)
                   for obj in _jsonl(root / DATE / cc / "crypto/exchange.jsonl"))
    with open(root / DATE / "ground_truth.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == list(TRUTH_COLUMNS)
    assert list(BANK_CSV_COLUMNS) == [
        "tx_id", "booking_date", "value_date", "amount", "currency", "originator_name",
        "originator_account", "originator_bic", "originator_country", "beneficiary_name",
        "beneficiary_account", "beneficiary_bic", "beneficiary_country", "remittance_info",
        "reporting_entity", "ultimate_originator_name", "ultimate_beneficiary_name"]


def test_ibans_bics_amounts_and_ids_are_well_formed(out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    for cc in COUNTRIES:
        rows = _csv(root / DATE / cc / "bank/payments.csv")
        txs = _pacs(root / DATE / cc / "bank/pacs008.xml")
        ibans = [r[c] for r in rows for c in ("originator_account", "beneficiary_account")]
        ibans += [e.text or "" for t in txs for e in t.findall(".//p:IBAN", NS)]
        bics = [r[c] for r in rows for c in ("originator_bic", "beneficiary_bic")]
        assert len(ibans) == 2 * (len(rows) + len(txs)) and len(rows) == 165 and len(txs) == 75
        assert all(iban_check_ok(i) and len(i) == IBAN_LENGTHS[i[:2]] for i in ibans)
        assert sum(i.startswith(cc) for i in ibans) > len(ibans) / 2  # mostly domestic
        assert all(re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}", b) for b in bics)
        assert all(re.fullmatch(r"\d+\.\d{2}", r["amount"]) for r in rows)
        assert len({r["tx_id"] for r in rows}) == len(rows)
        assert all(re.fullmatch(rf"{cc}-B-\d{{6}}", r["tx_id"]) for r in rows)
        # parties repeat: a pool of about transactions / 10 (at least 50) names
        assert len({r["originator_name"] for r in rows}) < len(rows)


def test_crypto_rows_fit_their_chain_and_day(out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    chains = {"bitcoin": ("bech32", "base58"), "ethereum": ("evm",), "polygon": ("evm",),
              "tron": ("tron",)}
    for cc in COUNTRIES:
        rows = _csv(root / DATE / cc / "crypto/exchange.csv")
        rows += [{k: "" if v is None else str(v) for k, v in o.items()}
                 for o in _jsonl(root / DATE / cc / "crypto/exchange.jsonl")]
        assert len(rows) == 36 + 24
        for r in rows:
            assert r["asset"] in ("BTC", "ETH", "USDT", "USDC") and r["direction"] in ("in", "out")
            assert crypto_chain(r["counterparty_address"]) in chains[r["network"]]
            assert re.fullmatch(rf"{DATE}T\d\d:\d\d:\d\dZ", r["timestamp"])


def _column_value(root: Path, t: dict[str, str]) -> str:
    """The text in the truth row's file, transaction and party column."""
    path = root / DATE / t["country"] / t["source_file"]
    role = t["party_role"]
    if t["source_file"].endswith(".xml"):
        tx = [e for e in _pacs(path) if e.findtext("p:PmtId/p:EndToEndId", None, NS) == t["tx_id"]]
        assert len(tx) == 1
        return tx[0].findtext(PACS_ROLES[role], "", NS)
    rows = _csv(path) if t["source_file"].endswith(".csv") else _jsonl(path)
    row = [r for r in rows if r["tx_id"] == t["tx_id"]]
    assert len(row) == 1
    if t["source_file"].startswith("bank/"):
        column = BANK_CSV_ROLES[role]
    elif role == "customer":
        column = "customer_name"
    else:
        column = "counterparty_address" if t["kind"] == "crypto_address" else "counterparty_name"
    return str(row[0][column])


def test_truth_rows_point_at_the_planted_value(out: tuple[Path, GenerateSummary]) -> None:
    root, summary = out
    truth = _csv(Path(summary.truth_path))
    for cc in COUNTRIES:
        kinds = {t["kind"] for t in truth if t["country"] == cc}
        assert kinds == {"name", "imo", "crypto_address"}
    assert summary.planted == {k: sum(t["kind"] == k for t in truth)
                               for k in ("name", "imo", "crypto_address")}
    by_id = {e.entry_id: e for e in ENTRIES}
    for t in truth:
        value = _column_value(root, t)
        entry = by_id[t["entry_id"]]
        assert t["list_source"] == entry.list_source
        if t["kind"] == "imo":
            assert t["party_role"] == "remittance" and t["planted_value"] in value
            assert re.sub(r"\D", "", t["planted_value"]) == "9187629"
            assert imo_check_ok("9187629")
        elif t["kind"] == "crypto_address":
            assert entry.entry_id == "C-0002" and t["party_role"] == "counterparty"
            assert value == t["planted_value"] and value.lower() == EVM
        else:
            assert value == t["planted_value"] and value != "NFH"  # weak aliases never planted
            if t["variant"] == "exact":
                assert value in (entry.name, *(a.name for a in entry.aliases))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path,
                                                     out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    _run(tmp_path / "again")
    _run(tmp_path / "other", seed=12)
    assert _files(tmp_path / "again") == _files(root)
    other = _files(tmp_path / "other")
    assert other.keys() == _files(root).keys()
    assert all(other[k] != v for k, v in _files(root).items())


def test_compressed_feeds_hold_the_same_text(tmp_path: Path,
                                             out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    summary = _run(tmp_path, compress=True)
    assert all(p.endswith(".gz") for p in summary.files[:-1])
    for cc in COUNTRIES:
        for feed in FEEDS:
            packed = (tmp_path / DATE / cc / (feed + ".gz")).read_bytes()
            assert gzip.decompress(packed) == (root / DATE / cc / feed).read_bytes()
    assert all(t["source_file"].endswith(".gz") for t in _csv(Path(summary.truth_path)))


def test_pacs008_parses_and_counts_its_transactions(out: tuple[Path, GenerateSummary]) -> None:
    root, _ = out
    for cc in COUNTRIES:
        doc = ET.parse(root / DATE / cc / "bank/pacs008.xml").getroot()
        assert doc.tag == "{%s}Document" % NS["p"]
        txs = _pacs(root / DATE / cc / "bank/pacs008.xml")
        assert int(doc.findtext("p:FIToFICstmrCdtTrf/p:GrpHdr/p:NbOfTxs", "", NS)) == len(txs)
        for tx in txs:
            assert tx.find("p:IntrBkSttlmAmt", NS).get("Ccy") == "EUR"  # type: ignore[union-attr]
            for path in ("p:PmtId/p:EndToEndId", "p:PmtId/p:UETR", "p:ChrgBr",
                         "p:Dbtr/p:PstlAdr/p:Ctry", "p:DbtrAgt/p:FinInstnId/p:BICFI",
                         "p:CdtrAgt/p:FinInstnId/p:BICFI", "p:Cdtr/p:Nm"):
                assert tx.findtext(path, "", NS), path


NAME_CASES = [
    ("Nordic Freight Holding B.V.", "organization", "legal_form_dropped", "Nordic Freight Holding"),
    ("Nordic Freight Holding B.V.", "organization", "legal_form_punctuated",
     "Nordic Freight Holding BV"),
    ("SOVCOMFLOT PJSC", "organization", "upper", None),
    ("ARCTIC SUNRISE", "vessel", "word_swap", "SUNRISE ARCTIC"),
    ("Acme Shipping Co., Ltd.", "organization", "legal_form_punctuated", "Acme Shipping Co Ltd"),
]


@pytest.mark.parametrize("case", NAME_CASES)
def test_name_variants(case: tuple[str, str, str, str | None]) -> None:
    name, entity_type, variant, expected = case
    variants = name_variants(random.Random(1), name, entity_type)
    assert variants["exact"] == name
    if expected is None:
        assert variant not in variants
    else:
        assert variants[variant] == expected
    if entity_type == "vessel":
        assert re.fullmatch(r"(MV|M/V|M\.V\.) ARCTIC SUNRISE", variants["vessel_prefix"])
    assert "typo" not in name_variants(random.Random(1), "ACME LTD", "organization")


def test_legal_form_needs_a_name_left_over() -> None:
    assert legal_form("GmbH & Co. KG") is None
    assert legal_form("Müller Logistik GmbH & Co. KG") == ("Müller Logistik", "GmbH & Co. KG",
                                                            "GMBHCOKG")


@pytest.mark.parametrize("bad", [
    {"business_date": "27/11/2026"}, {"countries": ["XX"]}, {"countries": []},
    {"transactions": -1}, {"countries": ["BE", "BE"]},
])
def test_bad_arguments_fail_before_writing(tmp_path: Path, bad: dict[str, object]) -> None:
    args: dict[str, object] = {"output_root": str(tmp_path), "business_date": DATE,
                               "countries": ["BE"], "transactions": 10, "seed": 1,
                               "entries": ENTRIES, **bad}
    with pytest.raises(ValueError):
        generate(**args)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_without_usable_entries_nothing_is_planted(tmp_path: Path) -> None:
    summary = generate(str(tmp_path), DATE, ["DE"], 200, 3, [])
    assert summary.planted == {"name": 0, "imo": 0, "crypto_address": 0}
    assert len(_csv(Path(summary.truth_path))) == 0


def test_fast_writers_match_the_stdlib() -> None:
    rows = [["a", "Acme Co., Ltd.", 'say "hi"', "x\ny", "Zoë & Søn", "", "1.50"],
            ["b", "plain", "", "", "", "", "0.00123400"]]
    fast, slow = io.StringIO(), io.StringIO()
    _write_csv(fast, ["k1", "k2", "k3", "k4", "k5", "k6", "k7"], iter(rows))
    csv.writer(slow).writerows([["k1", "k2", "k3", "k4", "k5", "k6", "k7"], *rows])
    assert fast.getvalue() == slow.getvalue()
    row = ["T-1", DATE + "T00:00:01Z", "BTC", "bitcoin", "0.00123400", "in", "C1",
           'Zoë "Q" \\ d', "NL", "bc1q", "", "", "ab", "1.50"]
    out = io.StringIO()
    _write_jsonl(out, iter([row]))
    obj = json.loads(out.getvalue())
    assert obj["customer_name"] == 'Zoë "Q" \\ d' and obj["counterparty_name"] is None
    assert obj["amount"] == 0.001234 and obj["amount_eur"] == 1.5


def test_tiny_runs_still_write_every_feed(tmp_path: Path) -> None:
    summary = generate(str(tmp_path), DATE, ["IT"], 10, 5, ENTRIES)
    assert summary.transactions == {"IT": 10} and len(summary.files) == 5
    assert sum(summary.planted.values()) >= 3
    doc = ET.parse(tmp_path / DATE / "IT" / "bank/pacs008.xml").getroot()
    assert doc.findtext("p:FIToFICstmrCdtTrf/p:GrpHdr/p:NbOfTxs", "", NS) == "2"
    empty = generate(str(tmp_path / "zero"), DATE, ["ES"], 0, 5, ENTRIES)
    assert empty.planted == {"name": 0, "imo": 0, "crypto_address": 0}


def test_coalition_addresses_noted_by_chain_family_are_planted(tmp_path):
    """The coalition reader notes 'evm'/'bech32'/'tron', not a currency: still usable."""
    from watchlists.coalition import read_coalition

    entries = read_coalition(os.path.join(os.path.dirname(__file__), "..", "..", "watchlists", "data", "coalition.csv"))
    summary = generate(str(tmp_path), "2026-11-27", ["NL"], 400, 3, entries)
    assert summary.planted["crypto_address"] > 0
