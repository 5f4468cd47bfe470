"""`fiu-screen run` over an input tree mixing the bank and crypto formats (canonical CSV,
pain.001, camt.053, MT103 as plain FIN and DOS-PCC, CSV dialects from feeds.toml, crypto CSV and
JSONL, IVMS101) against every list format at once: all files are screened in one run, the
manifest lists each with its format, and alerts name their list. (One file of each kind: the
per-file validation costs 1-3 s, and the envelope and line variants have their reader tests.)"""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest

from pipelines.cli import main
from tests.conftest import FIXTURES

DATE = "2026-11-27"
FEEDS = os.path.join(FIXTURES, "feeds")
LISTS = os.path.join(FIXTURES, "watchlists")
TREE = {  # country → {source_file: fixture path}
    "DE": {
        "bank/pain001_v09.xml": "bank/pain001_v09.xml",
        "bank/camt053_v02.xml": "bank/camt053_v02.xml",
        "bank/mt103_two.fin": "bank/mt103_two.fin",
        "bank/mt103.dos": "bank/mt103.dos",
        "bank/umsaetze_2026-11-27.csv": f"dialects/{DATE}/DE/bank/umsaetze_2026-11-27.csv",
    },
    "NL": {
        "bank/STATEMENT_88": "bank/camt053_v08.xml",  # no extension: found by its content
        "bank/bankexport.csv": f"dialects/{DATE}/NL/bank/bankexport.csv",
    },
    "BE": {
        "crypto/exchange.csv": "crypto/exchange.csv",
        "crypto/exchange.jsonl": "crypto/exchange.jsonl",
        "crypto/travel_rule.json": "crypto/travel_rule.json",
        "crypto/withdrawals_2026-11-27.csv": f"dialects/{DATE}/BE/crypto/withdrawals_2026-11-27.csv",
    },
}
FORMATS = {
    "bank/pain001_v09.xml": "pain.001", "bank/camt053_v02.xml": "camt.053",
    "bank/mt103_two.fin": "mt103", "bank/mt103.dos": "mt103",
    "bank/umsaetze_2026-11-27.csv": "bank-csv", "bank/lists.csv": "bank-csv", "bank/STATEMENT_88": "camt.053",
    "bank/bankexport.csv": "bank-csv", "crypto/exchange.csv": "crypto-csv", "crypto/exchange.jsonl": "crypto-jsonl",
    "crypto/travel_rule.json": "ivms101",
    "crypto/withdrawals_2026-11-27.csv": "crypto-csv",
}  # fmt: skip
# A canonical bank CSV whose counterparties are on the UN, EU, UK and OpenSanctions fixture lists.
LISTED = """tx_id,booking_date,amount,currency,originator_name,beneficiary_name,beneficiary_bic,remittance_info
de-l1,2026-11-27,5000.00,EUR,Hafenlogistik Bremen GmbH,Korea Mirae Shipping Co Ltd,,Crew services
de-l2,2026-11-27,7000.00,EUR,Hafenlogistik Bremen GmbH,Horizon Trading FZE,BHTKRUMM,Bunker delivery
de-l3,2026-11-27,9000.00,EUR,Hafenlogistik Bremen GmbH,Harbour Agency Ltd,,Port dues MV SEA FALCON IMO 9312456
de-l4,2026-11-27,1100.00,EUR,Hafenlogistik Bremen GmbH,Stellar Wave Shipping Ltd,,Charter hire
"""
SPECS = [
    f"coalition:{os.path.join(FIXTURES, 'e2e', 'coalition.csv')}",
    f"un-xml:{os.path.join(LISTS, 'un_excerpt.xml')}",
    f"eu-xml:{os.path.join(LISTS, 'eu_fsf_small.xml')}",
    f"uk-csv:{os.path.join(LISTS, 'uk_fcdo_small.csv')}",
    f"ftm:{os.path.join(LISTS, 'ftm_small.json')}",
    f"opensanctions-csv:{os.path.join(LISTS, 'opensanctions_targets_small.csv')}",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    inputs = root / "input"
    for country, files in TREE.items():
        for source_file, fixture in files.items():
            target = inputs / DATE / country / source_file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.join(FEEDS, fixture), target)
    (inputs / DATE / "DE" / "bank" / "lists.csv").write_text(LISTED, encoding="utf-8")
    shutil.copy(os.path.join(FEEDS, "dialects", "feeds.toml"), inputs / "feeds.toml")
    out = root / "output"
    watchlists = [arg for spec in SPECS for arg in ("--watchlist", spec)]
    code = main(["run", "--input-root", str(inputs), "--output-root", str(out), "--business-date", DATE,
                 "--country", "DE", "--country", "NL", "--country", "BE", *watchlists])  # fmt: skip
    manifests = {c: json.loads((out / "manifests" / f"business_date={DATE}" / f"country={c}.json").read_text())
                 for c in ("DE", "NL", "BE")}  # fmt: skip
    return code, out, manifests


def test_every_file_is_read_in_one_run_with_its_format(run):
    code, _, manifests = run
    assert code == 0
    listed = {f["path"]: (f["format"], f["status"]) for m in manifests.values() for f in m["files"]}
    assert listed == {path: (fmt, "ok") for path, fmt in FORMATS.items()}
    for manifest in manifests.values():
        assert [w["spec"] for w in manifest["watchlists"]] == SPECS
        for f in manifest["files"]:
            assert f["rows_read"] == f["rows_screened"] + f["rows_quarantined"] > 0


def test_quarantined_rows_of_the_new_formats_carry_their_reasons(run):
    _, out, manifests = run
    quarantine = pd.read_parquet(out / "quarantine")
    reasons = {(r.source_file, r.source_row): r.reason for r in quarantine.itertuples()}
    assert "missing amount" in reasons[("bank/pain001_v09.xml", 3)]
    assert reasons[("bank/camt053_v02.xml", 6)] == "CdtDbtInd not CRDT|DBIT: None"
    assert reasons[("bank/umsaetze_2026-11-27.csv", 3)] == "booking_date not a date: '31.11.2026'"
    assert "direction not in|out: 'Transfer'" in reasons[("crypto/withdrawals_2026-11-27.csv", 3)]
    assert sum(m["totals"]["rows_quarantined"] for m in manifests.values()) == len(quarantine)


def test_alerts_come_from_every_list_and_every_new_format(run):
    _, out, _ = run
    alerts = pd.read_parquet(out / "alerts")
    fired = {(r.source_file, r.tx_id, r.list_source, r.entry_id, r.match_type) for r in alerts.itertuples()}
    expected = {
        ("bank/lists.csv", "de-l1", "un_sc", "KPe.020", "name"),
        ("bank/lists.csv", "de-l2", "eu_fsf", "990101", "bic"),
        ("bank/lists.csv", "de-l3", "uk_fcdo", "RUS9901", "imo"),
        ("bank/lists.csv", "de-l4", "opensanctions", "fx-os-owner", "name"),
        ("bank/pain001_v09.xml", "E2E-DE-0001", "coalition", "T-001", "name"),
        ("bank/pain001_v09.xml", "E2E-DE-0001", "coalition", "T-002", "imo"),
        ("bank/mt103_two.fin", "NL-MT-0001", "coalition", "T-001", "name"),
        ("bank/mt103.dos", "NL-MT-0001", "coalition", "T-002", "imo"),
        ("bank/camt053_v02.xml", "E2E-BE-C1", "coalition", "T-001", "name"),
        ("bank/STATEMENT_88", "7d3c1a2b-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "opensanctions", "fx-company-1", "name"),
        ("bank/umsaetze_2026-11-27.csv", "bank/umsaetze_2026-11-27.csv#1", "coalition", "T-001", "name"),
        ("bank/bankexport.csv", "bank/bankexport.csv#1", "coalition", "T-003", "name"),
        ("crypto/travel_rule.json", "0x5c7a1e2d3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80",
         "coalition", "T-003", "crypto_address"),
        ("crypto/travel_rule.json", "crypto/travel_rule.json#2", "opensanctions", "fx-os-wallet", "crypto_address"),
        ("crypto/withdrawals_2026-11-27.csv", "0xaa02", "coalition", "T-004", "crypto_address"),
    }  # fmt: skip
    assert expected <= fired, sorted(expected - fired)
    assert {"coalition", "un_sc", "eu_fsf", "uk_fcdo", "opensanctions"} <= set(alerts["list_source"])
    vasp = alerts[(alerts["source_file"] == "crypto/travel_rule.json") & (alerts["party_role"] == "beneficiary_vasp")]
    assert set(vasp["entry_id"]) == {"fx-company-1"}
