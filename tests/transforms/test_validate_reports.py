"""Per-file validation reports: GX's result as JSON and a static HTML page that is safe to open
(escaped, no spreadsheet formulas), written beside the run for every file."""

from __future__ import annotations

import json
import os
import re

import pytest

from transforms.feeds import FeedFile, FileContext
from transforms.read import parse_file
from transforms.reports import MAX_LISTED, report_paths, spreadsheet_safe, trimmed

DATE = "2026-11-27"
HEADER = "tx_id,booking_date,amount,currency,originator_name,beneficiary_name\n"


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+31 20", "'+31 20"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Van Dijk BV", "Van Dijk BV"),
    (None, ""), (-5.0, "-5.0"), (3, "3"),
])  # fmt: skip
def test_spreadsheet_safe_defuses_formulas_but_not_numbers(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize("source_file", ["bank/payments.csv", "../../etc/passwd", "bank/..", "/abs/x.csv"])
def test_report_paths_stay_in_the_country_folder(tmp_path, source_file):
    json_path, html_path = report_paths(str(tmp_path), "NL", source_file)
    folder = os.path.join(str(tmp_path), "country=NL")
    for path in (json_path, html_path):
        assert os.path.dirname(os.path.normpath(path)) == folder
    assert report_paths("r", "NL", "bank/payments.csv")[0] == os.path.join("r", "country=NL",
                                                                           "bank__payments.csv.validation.json")


def test_long_lists_are_cut_and_flagged():
    result = {"results": [{"success": False, "result": {"unexpected_index_list": list(range(MAX_LISTED + 5)),
                                                       "unexpected_count": MAX_LISTED + 5,
                                                       "unexpected_index_query": "df.filter(...)"}}]}  # fmt: skip
    inner = trimmed(result)["results"][0]["result"]
    assert len(inner["unexpected_index_list"]) == MAX_LISTED and inner["unexpected_index_list_truncated"]
    assert inner["unexpected_count"] == MAX_LISTED + 5 and "unexpected_index_query" not in inner
    assert len(result["results"][0]["result"]["unexpected_index_list"]) == MAX_LISTED + 5  # input untouched


def _feed(tmp_path, name: str, body: bytes) -> FeedFile:
    folder = tmp_path / "in" / "NL" / "bank"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    return FeedFile(str(folder / name), FileContext("NL", DATE, "bank", f"bank/{name}"))


def test_hostile_values_reach_the_report_only_as_inert_text(tmp_path):
    rows = ('a,2026-11-27,5,EUR,"=HYPERLINK(""http://evil.example"",""x"")\x07",Jansen BV\n'
            'b,2026-11-27,6,EUR,Van Dijk BV,<script>alert(1)</script>\x07\n'
            'c,2026-11-27,7,EUR,Van Dijk BV,Jansen BV\n')  # fmt: skip
    feed = _feed(tmp_path, "hostile.csv", (HEADER + rows).encode())
    reports = tmp_path / "reports"
    out = list(parse_file(feed, reports_dir=str(reports)))
    json_path, html_path = report_paths(str(reports), "NL", "bank/hostile.csv")
    report = json.loads(open(json_path, encoding="utf-8").read())
    assert report["success"] is False
    assert report["meta"]["fiu_screen"]["rows_quarantined"] == 2 == report["meta"]["fiu_screen"]["rows_read"] - 1
    failed = {r["expectation_config"]["kwargs"]["column"] for r in report["results"] if not r["success"]}
    assert failed == {"originator_name", "beneficiary_name"}
    page = open(html_path, encoding="utf-8").read()
    assert "<script>" not in page and "&lt;script&gt;" in page
    cells = re.findall(r"<td>(.*?)</td>", page, re.S)
    assert cells and not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert len(out) == 4  # one Transaction, two QuarantineRows, the FileStats


def test_a_file_that_cannot_be_read_still_gets_a_report(tmp_path):
    feed = _feed(tmp_path, "broken.csv.gz", b"\x1f\x8b\x08\x00garbage")
    reports = tmp_path / "reports"
    list(parse_file(feed, reports_dir=str(reports)))
    json_path, html_path = report_paths(str(reports), "NL", "bank/broken.csv.gz")
    report = json.loads(open(json_path, encoding="utf-8").read())
    assert report["success"] is None and report["results"] == []
    assert report["meta"]["fiu_screen"]["status"] == "failed"
    assert "unreadable gzip" in report["meta"]["fiu_screen"]["error"]
    assert "unreadable gzip" in open(html_path, encoding="utf-8").read()
    assert not [n for n in os.listdir(os.path.dirname(json_path)) if n.startswith(".tmp-")]  # no temporaries left
