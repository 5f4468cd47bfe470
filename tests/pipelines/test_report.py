"""The run report: a static page with the six countries, escaped text, embedded plots; checked in Chromium."""

import base64
import io
import re
import shutil
import subprocess
import tempfile

import pytest
from PIL import Image

from pipelines.report import build_report, report_path
from schemas.records import QuarantineRow
from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, write_day

DATE = "2026-11-27"
SIX = ("BE", "DE", "FR", "IT", "ES", "NL")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]  # fmt: skip
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]\s*(.*)")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("out")
    quarantine = [QuarantineRow("DE", DATE, "bank", "bank/payments.csv", 2, "x;y", "amount not a number: 'x'"),
                  QuarantineRow("DE", DATE, "bank", "bank/broken.xml", 0, "", "<not xml> & truncated")]  # fmt: skip
    write_day(str(root), DATE, demo_transactions(), [make_list(demo_entries())], quarantine=quarantine,
              countries=["BE", "DE", "FR", "IT", "ES"])  # NL not run: the report must say so  # fmt: skip
    path = build_report(str(root), DATE)
    with open(path, encoding="utf-8") as f:
        return path, f.read()


def render(path: str) -> tuple[str, list[str]]:
    """The DOM Chromium builds from the file and every console message it logged."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"file://{path}"],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]


def test_report_lands_in_the_documented_place(page, tmp_path):
    path, _ = page
    assert path.endswith(f"reports/business_date={DATE}/index.html")
    assert report_path(str(tmp_path), DATE).endswith(f"business_date={DATE}/index.html")


def test_every_country_is_listed_and_a_missing_one_says_so(page):
    _, html = page
    for cc in SIX:
        assert f"<tr><td>{cc}</td>" in html
    assert re.search(r"<tr><td>NL</td><td>FIU-NL</td><td class=\"missing\">missing \(not run\)</td>", html)


def test_text_from_the_data_is_escaped_and_defused(page):
    _, html = page
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt; &amp; =cmd|&#x27; /C calc&#x27;!A0 Trading" in html
    assert "&lt;not xml&gt; &amp; truncated" in html
    assert "<script" not in html.lower()


def test_static_page_without_external_assets(page):
    _, html = page
    assert "default-src 'none'; img-src data:" in html
    assert not re.search(r"(src|href)=\"(?!data:)", html)


def test_plots_are_embedded_pngs(page):
    _, html = page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 2
    for data in images:
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 150


def test_sections_hold_the_run_facts(page):
    _, html = page
    for heading in ("Reconciliation per file", "Top matched entities", "Quarantine reasons", "List versions",
                    "Timings", "Re-screens (lookback)"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html
    assert "<td>crypto/exchange.jsonl</td><td>crypto-jsonl</td>" in html
    assert re.search(r"<td>C-001</td><td>Noordzee Bulk[^<]*</td><td>organization</td><td class=\"n\">2</td>"
                     r"<td>BE, FR</td>", html)  # fmt: skip
    assert "amount not a number: &#x27;x&#x27;" in html


@pytest.mark.skipif(CHROMIUM is None, reason="LOUD SKIP: chromium is not installed; .ci/run installs it (apt-get)")
def test_chromium_loads_the_report_without_console_errors(page):
    path, _ = page
    dom, console = render(path)
    assert console == []
    assert "Screening run report: business date 2026-11-27" in dom
    rows = re.findall(r"<tr><td>([A-Z]{2})</td><td>", dom.split("<h2>Alerts</h2>")[0])
    assert rows == list(SIX)


@pytest.mark.skipif(CHROMIUM is None, reason="LOUD SKIP: chromium is not installed; .ci/run installs it (apt-get)")
def test_the_console_check_catches_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="img-src data:">'
                   '<img src="https://example.invalid/x.png"><script>console.error("boom")</script>')  # fmt: skip
    _, console = render(str(bad))
    assert any("boom" in line for line in console) and any("Content Security Policy" in line for line in console)


def test_top_entities_ranks_by_alerts_then_best_score_and_describes_only_those_shown():
    import pandas as pd

    from pipelines.report import top_entities

    def alert(entry, country, score, name, match="name"):
        return {"list_source": "ofac", "entry_id": entry, "matched_name": name, "entity_type": "vessel",
                "country": country, "score": score, "match_type": match, "alert_id": f"{entry}-{country}-{score}"}

    alerts = pd.DataFrame([alert("E1", "NL", 90.0, "SEA LION"), alert("E1", "BE", 95.0, "SEA LION"),
                           alert("E1", "NL", 91.0, "SEA-LION", "imo"),  # 3 alerts
                           alert("E2", "DE", 99.0, "ARTAVAND"), alert("E2", "DE", 98.0, None),  # 2, best 99
                           alert("E3", "FR", 100.0, "KUNASHIR"), alert("E3", "IT", 89.0, "KUNASHIR"),  # 2, best 100
                           alert("E4", "ES", 88.0, "MAREA AZUL")])  # fmt: skip
    html = top_entities(alerts, limit=3)
    shown = re.findall(r"<td>(E\d)</td>", html)
    assert shown == ["E1", "E3", "E2"]  # E4 (one alert) is past the limit
    assert "BE, NL" in html and "imo, name" in html and ">SEA LION<" in html and '<td class="n">95</td>' in html


def test_warm_up_draws_a_chart_ahead_and_never_fails_the_run(monkeypatch):
    """`report_charts.warm_up` runs in a thread while a run's workers start: it leaves matplotlib
    loaded for the report, and keeps any failure to itself (the report meets it and warns)."""
    import sys

    from pipelines import report_charts

    drawn = []
    monkeypatch.setattr(report_charts, "_png", lambda fig, _png=report_charts._png: drawn.append(_png(fig)) or "")
    report_charts.warm_up()
    assert drawn and drawn[0].startswith("data:image/png;base64,") and "matplotlib.figure" in sys.modules

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(report_charts, "_figure", broken)
    report_charts.warm_up()  # no exception
