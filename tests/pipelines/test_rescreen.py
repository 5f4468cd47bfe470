"""`fiu-screen rescreen`: stored parties of the last N days against only the added or changed entries."""

import json
import os

import pyarrow.parquet as pq
import pytest

from pipelines.analysis import load_alerts, load_manifests
from pipelines.cli import main
from pipelines.rescreen import recorded_lists, rescreen, snapshot_path
from tests.pipelines.output_fixture import demo_transactions, screen, tx, write_day
from transforms.parties import RunInfo
from transforms.party_store import party_key
from watchlists.spec import load_watchlists

HEADER = "entry_id,entity_type,name,aliases,countries,imo_number,lei,registration_ids,crypto_addresses,list_source," \
         "listed_on,reason\n"  # fmt: skip
OLD = HEADER + """C-001,organization,Noordzee Bulk Shipping BV,Noordzee Bulk,NL,,,,,coalition,2026-03-01,test
C-002,vessel,Marea Azul,MV Marea Azul,PA,9187629,,,,coalition,2026-03-01,test
C-003,organization,Transportes Rapidos del Sur SL,,ES,,,,0x8589427373d6d84e98730d7795d8f6f8731fda16,coalition,2026-05-12,test
C-666,organization,Removed Trading Ltd,,CY,,,,,coalition,2026-05-12,test
"""
NEW = HEADER + """C-001,organization,Noordzee Bulk Shipping BV,Noordzee Bulk|Baltic Star Shipping,NL,,,,,coalition,2026-03-01,test
C-002,vessel,Marea Azul,MV Marea Azul,PA,9187629,,,,coalition,2026-03-01,test
C-003,organization,Transportes Rapidos del Sur SL,,ES,,,,0x8589427373d6d84e98730d7795d8f6f8731fda16,coalition,2026-05-12,test
C-010,organization,Oceanic Reefer Agency BV,,NL,,,,,coalition,2026-11-28,test
"""
DAY1 = [tx("NL", "nl-a", "Van Dijk Import BV", "Oceanic Reefer Agency B.V.", date="2026-11-26", row=1),
        tx("NL", "nl-b", "Van Dijk Import BV", "Baltic Star Shipping", date="2026-11-26", row=2),
        tx("BE", "be-a", "Pieter Claes", "Noordzee Bulk", date="2026-11-26", row=1)]  # fmt: skip
DAY0 = [tx("NL", "nl-old", "Van Dijk Import BV", "Oceanic Reefer Agency BV", date="2026-11-20", row=1)]
EXPECTED = {("2026-11-26", "nl-a", "C-010"), ("2026-11-26", "nl-b", "C-001"), ("2026-11-27", "nl-3", "C-010")}


def _lists(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return f"coalition:{path}"


@pytest.fixture
def setup(tmp_path):
    old_spec, new_spec = _lists(tmp_path, "old.csv", OLD), _lists(tmp_path, "new.csv", NEW)
    old = load_watchlists([old_spec])
    root = str(tmp_path / "out")
    for day, txs in (("2026-11-20", DAY0), ("2026-11-26", DAY1), ("2026-11-27", demo_transactions())):
        write_day(root, day, txs, old)
    return root, old, load_watchlists([new_spec]), new_spec


def _lookback(root):
    df = load_alerts(root)
    return df[df["lookback"]]


def test_lookback_alerts_are_exactly_what_a_full_rerun_adds(setup):
    root, old, new, _ = setup
    before = load_alerts(root)
    outcomes = rescreen(root, new, days=2, business_date="2026-11-27")
    got = _lookback(root)
    assert {(str(d.date()), t, e) for d, t, e in zip(got["business_date"], got["tx_id"], got["entry_id"])} == EXPECTED
    # the same alerts (ids, scores) a full rerun with the new list gives, minus the ones already written
    window = DAY1 + demo_transactions()
    full = [a for day in ("2026-11-26", "2026-11-27")
            for a in screen([t for t in window if t.business_date == day], new, RunInfo("x", "0.1.0"))]  # fmt: skip
    seen = {(a.source_file, a.source_row, a.party_role, a.list_source, a.entry_id, a.tx_id, a.country)
            for a in before.itertuples()}  # fmt: skip
    added = {(a.alert_id, a.score) for a in full
             if (a.source_file, a.source_row, a.party_role, a.list_source, a.entry_id, a.tx_id, a.country) not in seen}
    assert set(zip(got["alert_id"], got["score"])) == added
    assert set(got["watchlist_version"]) == {new[0].version} and set(got["status"].astype(str)) == {"open"}
    assert got["amount"].isna().all()  # the party store keeps no amounts
    assert len(load_alerts(root, None, "2026-11-20", "2026-11-20")) == 0  # outside the window: untouched
    nl = {o.business_date: o for o in outcomes if o.country == "NL"}
    assert nl["2026-11-27"].entries == 2  # C-001 (changed) and C-010 (added); C-666 removed, C-002/3 unchanged
    assert {o.status for o in outcomes} == {"rescreened"}


def test_the_manifest_records_the_rescreen_and_a_second_run_does_nothing(setup):
    root, old, new, _ = setup
    rescreen(root, new, days=2, business_date="2026-11-27")
    files = sorted(os.listdir(os.path.join(root, "alerts", "country=NL", "business_date=2026-11-27")))
    assert files[0] == "part-00000.parquet" and files[1].startswith("part-lookback-") and len(files) == 2
    (nl,) = [m for m in load_manifests(root, "2026-11-27") if m["country"] == "NL"]
    (record,) = nl["lookback"]
    assert record["watchlists"][0]["previous_version"] == old[0].version and record["alerts"] == 1
    assert [r["version"] for r in recorded_lists(nl)] == [new[0].version]
    again = rescreen(root, new, days=2, business_date="2026-11-27")
    assert {o.status for o in again} == {"up to date"} and len(_lookback(root)) == 3


def test_without_a_snapshot_of_the_old_version_the_whole_list_is_screened_with_the_same_result(setup):
    root, old, new, _ = setup
    os.remove(snapshot_path(root, old[0].version))
    outcomes = rescreen(root, new, days=2, business_date="2026-11-27")
    assert {o.entries for o in outcomes} == {4}
    got = _lookback(root)
    assert {(t, e) for t, e in zip(got["tx_id"], got["entry_id"])} == {(t, e) for _, t, e in EXPECTED}


def test_cli_rescreen_with_suppression_and_a_missing_party_store(setup, tmp_path, capsys):
    root, _, _, new_spec = setup
    os.remove(os.path.join(root, "parties", "country=BE", "business_date=2026-11-26", "part-00000.parquet"))
    folder = tmp_path / "suppressions"
    folder.mkdir()
    key = party_key("Oceanic Reefer Agency BV", None)
    (folder / "NL.csv").write_text(f"party_key,entry_id,reviewer,reason,until\n{key},C-010,r.bakker,other firm,2027-01-01\n")
    code = main(["rescreen", "--output-root", root, "--watchlist", new_spec, "--days", "2",
                 "--suppressions", str(folder)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 3 and "BE 2026-11-26 has no party store" in err
    assert "3 lookback alert(s)" in out
    got = _lookback(root)
    assert dict(zip(got["tx_id"], got["status"].astype(str))) == {"nl-a": "open", "nl-b": "open", "nl-3": "suppressed"}
    (nl,) = [m for m in load_manifests(root, "2026-11-27") if m["country"] == "NL"]
    assert nl["lookback"][0]["alerts_suppressed"] == 1


def test_cli_rescreen_usage_errors(setup, capsys):
    root, _, _, new_spec = setup
    assert main(["rescreen", "--output-root", root, "--watchlist", new_spec, "--days", "0"]) == 2
    assert main(["rescreen", "--output-root", root, "--watchlist", "coalition:/nope.csv", "--days", "1"]) == 1
    assert "FATAL" in capsys.readouterr().err


def test_lookback_file_has_the_alert_schema(setup):
    root, _, new, _ = setup
    rescreen(root, new, days=1, business_date="2026-11-27")
    folder = os.path.join(root, "alerts", "country=NL", "business_date=2026-11-27")
    (name,) = [n for n in os.listdir(folder) if n.startswith("part-lookback-")]
    schema = pq.read_schema(os.path.join(folder, name)).remove_metadata()
    base = pq.read_schema(os.path.join(folder, "part-00000.parquet")).remove_metadata()
    assert schema == base
    assert json.loads(json.dumps(load_manifests(root, "2026-11-26")[0])).get("lookback") is None  # day 1 not in window
