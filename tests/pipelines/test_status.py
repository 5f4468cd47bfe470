"""`fiu-screen status`: each country's manifest status, a missing country shown and failing the exit code."""

import json

from pipelines.cli import main
from pipelines.commit import write_json_atomic
from pipelines.manifest import manifest_path
from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, write_day

DATE = "2026-11-27"


def _status(root, *extra):
    return main(["status", "--output-root", str(root), "--business-date", DATE, *extra])


def test_all_six_ok_exits_0(tmp_path, capsys):
    write_day(str(tmp_path), DATE, demo_transactions(), [make_list(demo_entries())])
    assert _status(tmp_path) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[2:]] == [[c, f, "ok"] for c, f in (
        ("BE", "CTIF-CFI"), ("DE", "FIU"), ("FR", "TRACFIN"), ("IT", "UIF"), ("ES", "SEPBLAC"), ("NL", "FIU-NL"))]


def test_a_partial_or_missing_country_exits_3_and_json_lines(tmp_path, capsys):
    manifests = write_day(str(tmp_path), DATE, demo_transactions(), [make_list(demo_entries())],
                          countries=["BE", "DE", "FR", "IT", "ES"])  # fmt: skip
    write_json_atomic(manifest_path(str(tmp_path), "DE", DATE), dict(manifests["DE"], status="partial"))
    assert _status(tmp_path, "--json") == 3
    rows = {r["country"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["DE"]["status"] == "partial" and rows["NL"]["status"] == "missing"
    assert rows["BE"]["alerts"] == 1 and rows["NL"]["fiu"] == "FIU-NL"
    assert _status(tmp_path, "--country", "BE") == 0
    assert _status(tmp_path, "--country", "nl/..") == 2
