"""Suppression of reviewed false positives: marked, explained, counted, never dropped."""

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.arrow import ALERT_SCHEMA, to_table
from schemas.lookback import Suppression
from schemas.records import Alert
from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, screen
from transforms.parties import RunInfo
from transforms.party_store import party_key
from transforms.suppress import (
    ApplySuppressions,
    SuppressionError,
    SuppressionIndex,
    apply_suppressions,
    load_suppressions,
    read_suppressions,
    status_counts,
)
from transforms.write import write_parquet

DATE = "2026-11-27"
NZB_KEY = party_key("Noordzee Bulk", None)


@pytest.fixture(scope="module")
def alerts():
    return screen(demo_transactions(), [make_list(demo_entries())], RunInfo("r", "0.1.0"))


def _rule(until=DATE, entry="C-001", key=NZB_KEY, source=None):
    return Suppression(key, entry, "j.devries", "different company, KvK 12345678", until, source)


def test_reads_a_suppression_file_in_any_column_order(tmp_path):
    path = tmp_path / "BE.csv"
    path.write_text("\ufeffUntil,Reviewer,party_key,entry_id,reason\n"
                    f"2027-06-30,a.peeters,{NZB_KEY.upper()},C-001,\"not the listed firm, see case 88\"\n\n",
                    encoding="utf-8")  # fmt: skip
    (rule,) = read_suppressions(str(path))
    assert rule == Suppression(NZB_KEY, "C-001", "a.peeters", "not the listed firm, see case 88", "2027-06-30")


@pytest.mark.parametrize("text, message", [
    ("party_key,entry_id,reviewer,until\nk,C-1,x,2027-01-01\n", "missing column(s) reason"),
    ("party_key,entry_id,reviewer,reason,until\nk,C-1,x,why,31/12/2027\n", "line 2: until '31/12/2027'"),
    ("party_key,entry_id,reviewer,reason,until\nk,C-1,,why,2027-01-01\n", "line 2: empty reviewer"),
])  # fmt: skip
def test_a_bad_file_fails_closed_with_the_line(tmp_path, text, message):
    path = tmp_path / "NL.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuppressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_suppressions(str(path))


def test_suppressed_alerts_are_kept_marked_and_explained(alerts):
    index = SuppressionIndex({"BE": [_rule()]}, DATE)
    out = apply_suppressions(alerts, index)
    assert len(out) == len(alerts)
    changed = [(a, b) for a, b in zip(alerts, out) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert (after.country, after.entry_id, after.status) == ("BE", "C-001", "suppressed")
    assert after.alert_id == before.alert_id and before.status == "open"
    assert after.explanation.endswith("; suppressed by j.devries until 2026-11-27: different company, KvK 12345678")


@pytest.mark.parametrize("rules, country, expected", [
    ([_rule(until="2026-11-26")], "BE", 0),  # expired the day before
    ([_rule(entry="C-002")], "BE", 0),  # another entry
    ([_rule()], "FR", 0),  # the file of another country
    ([_rule(source="ofac_sdn")], "BE", 0),  # the same entry id in another list
    ([_rule(source="coalition")], "BE", 1),
])  # fmt: skip
def test_a_suppression_covers_only_its_country_party_entry_and_dates(alerts, rules, country, expected):
    out = apply_suppressions(alerts, SuppressionIndex({country: rules}, DATE))
    assert sum(a.status == "suppressed" for a in out) == expected


def test_load_suppressions_reads_one_file_per_country(tmp_path):
    (tmp_path / "BE.csv").write_text(f"party_key,entry_id,reviewer,reason,until\n{NZB_KEY},C-001,x,y,2030-01-01\n")
    index = load_suppressions(str(tmp_path), ["BE", "NL"], DATE)
    assert len(index) == 1
    assert len(load_suppressions(None, ["BE"], DATE)) == 0


def test_apply_suppressions_in_beam(alerts):
    index = SuppressionIndex({"BE": [_rule()]}, DATE)
    with TestPipeline() as p:
        out = p | beam.Create(alerts) | ApplySuppressions(index)
        assert_that(out | beam.Map(lambda a: (a.country, a.status)),
                    equal_to([(a.country, "suppressed" if a.country == "BE" else "open") for a in alerts]),
                    label="Statuses")  # fmt: skip


def test_status_counts_reads_every_file_of_a_partition(tmp_path, alerts):
    index = SuppressionIndex({"BE": [_rule()]}, DATE)
    write_parquet(str(tmp_path / "part-00000.parquet"), apply_suppressions(alerts, index), Alert, ALERT_SCHEMA)
    old_schema = ALERT_SCHEMA.remove(ALERT_SCHEMA.get_field_index("status"))


    pq.write_table(to_table(alerts[:2], Alert, ALERT_SCHEMA).select(old_schema.names), tmp_path / "part-old.parquet")
    assert status_counts(str(tmp_path)) == {"open": len(alerts) - 1 + 2, "suppressed": 1}
