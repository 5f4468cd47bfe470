"""`fiu-screen evaluate`: reading cases, counting, the report, and the dev set on the bundled coalition list."""

import csv
import os

import pytest

from pipelines.cli import main
from pipelines.evaluate import Case, count, parse_identifier, read_cases, report, run_evaluate, screen_cases
from tests.conftest import FIXTURES, make_list
from watchlists.matcher import Match, Matcher, PartyQuery
from watchlists.spec import load_watchlists

DEVSET = os.path.join(FIXTURES, "devset", "cases.csv")
COALITION = os.path.join(os.path.dirname(FIXTURES), "..", "watchlists", "data", "coalition.csv")


def _match(entry_id: str, score: float) -> Match:
    return Match(entry_id, "coalition", "x", "organization", "name", score, "why", "q", "v")


def _case(kind: str, expected: str = "") -> Case:
    return Case("q", kind, frozenset({expected} if expected else ()), PartyQuery(name="x"))


def test_counting_rules():
    results = [
        (_case("typo", "coalition:C-1"), [_match("C-1", 95)]),                   # TP
        (_case("typo", "coalition:C-1"), [_match("C-1", 80)]),                   # FN below threshold
        (_case("typo", "C-1"), [_match("C-2", 99), _match("C-1", 90)]),          # TP (bare id) + one extra
        (_case("typo", "coalition:C-1"), [_match("C-9", 99)]),                   # FN and FP: wrong entry
        (_case("neg_real_unlisted"), [_match("C-3", 90)]),                       # FP
        (_case("neg_real_unlisted"), []),                                        # TN
    ]
    c = count(results, 88)
    assert (c.n, c.tp, c.fp, c.fn, c.extra) == (6, 2, 2, 2, 1)
    assert c.precision == 0.5 and c.recall == 0.5 and c.f1 == 0.5
    assert count(results, 70).fn == 1


@pytest.mark.parametrize("raw,want", [
    ("IMO 9187629", (("imo", "9187629"),)), ("imo no. 9187629", (("imo", "9187629"),)),
    ("352002219", (("mmsi", "352002219"),)), ("NL91 ABNA 0417 1643 00", (("iban", "NL91ABNA0417164300"),)),
    ("0x8589427373D6D84E98730D7795D8F6F8731FDA16", (("crypto_address", "0x8589427373d6d84e98730d7795d8f6f8731fda16"),)),
    ("", ()),
])  # fmt: skip
def test_parse_identifier(raw, want):
    assert parse_identifier(raw) == want


def test_read_cases_needs_the_label_columns(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("query_id,name\nq1,x\n")
    with pytest.raises(ValueError, match="kind"):
        read_cases(str(path))


def test_report_has_a_row_per_kind_and_a_threshold_curve(coalition_entries):
    matcher = Matcher([make_list(coalition_entries)], threshold=70)
    cases = [Case("1", "typo", frozenset({"coalition:C-001"}), PartyQuery(name="Noordzee Bulk Shiping")),
             Case("2", "neg_real_unlisted", frozenset(), PartyQuery(name="Maersk Line A/S")),
             Case("3", "id_imo", frozenset({"coalition:C-002"}), PartyQuery(identifiers=parse_identifier("IMO9187629")))]
    text = report(screen_cases(matcher, cases), 88)
    assert "| typo | 1 | 1 | 0 | 0 | 1.000 | 1.000 | 1.000 |" in text
    assert "| id_imo | 1 | 1 | 0 | 0 |" in text
    assert "| 88 ← |" in text and "| 70 |" in text


def test_dev_set_on_the_coalition_list():
    """The dev set's coalition cases and its negatives against the bundled coalition list."""
    (wl,) = load_watchlists([f"coalition:{COALITION}"])
    cases = [c for c in read_cases(DEVSET) if all(e.startswith("coalition:") for e in c.expected)]
    assert len(cases) > 900
    results = screen_cases(Matcher([wl], threshold=88), cases)
    names = [r for r in results if not r[0].kind.startswith(("id_", "text_"))]
    ids = [r for r in results if r[0].kind.startswith(("id_", "text_"))]
    got = count(names, 88)
    assert got.precision >= 0.99 and got.recall >= 0.95, got
    assert count(ids, 88).recall == 1.0


def test_cli_evaluate(tmp_path, capsys):
    cases = tmp_path / "cases.csv"
    with open(cases, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["query_id", "name", "kind", "expected", "identifier"])
        w.writerow(["1", "MAASVLAKTE REEFER LOGISTICS B.V.", "case", "coalition:COA-2026-0001", ""])
        w.writerow(["2", "Albert Heijn BV", "neg_bank_customer", "", ""])
        w.writerow(["3", "", "id_lei", "coalition:COA-2026-0001", "969500K7TQ2M8RXD4N84"])
    rc = main(["evaluate", "--watchlist", f"coalition:{COALITION}", "--cases", str(cases)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "| **all** | 3 | 2 | 0 | 0 | 1.000 | 1.000 | 1.000 |" in out
    assert main(["evaluate", "--watchlist", f"coalition:{COALITION}", "--cases", str(cases), "--threshold", "0"]) == 2
    assert main(["evaluate", "--watchlist", f"coalition:{tmp_path}/missing.csv", "--cases", str(cases)]) == 1


def test_run_evaluate_reports_candidate_recall():
    (wl,) = load_watchlists([f"coalition:{COALITION}"])
    text = run_evaluate([wl], DEVSET, split="dev")
    assert "candidate recall" in text and "Threshold curve" in text
