"""load_alerts: a typed pandas frame for a country and a date range; the README's polars/duckdb lines."""

import os

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from pipelines.analysis import business_dates, load_alerts, load_manifests, load_quarantine, partition_files
from schemas.records import QuarantineRow
from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, tx, write_day
from transforms.party_store import party_key
from transforms.write import partition_dir


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    lists = [make_list(demo_entries())]
    quarantine = [QuarantineRow("DE", "2026-11-27", "bank", "bank/payments.csv", 2, "x", "amount not a number")]
    write_day(str(out), "2026-11-27", demo_transactions(), lists, quarantine=quarantine)
    write_day(str(out), "2026-11-28", [tx("NL", "nl-9", "A BV", "Noordzee Bulk", date="2026-11-28")], lists,
              countries=["NL"])  # fmt: skip
    return out


def test_dtypes_are_ready_for_analysis(root):
    df = load_alerts(str(root), "NL", "2026-11-27", "2026-11-28")
    assert str(df["tx_timestamp"].dtype) == "datetime64[us, UTC]"
    assert str(df["business_date"].dtype).startswith("datetime64")
    assert df["amount"].dtype == "float64" and df["score"].dtype == "float64"
    assert df["source_row"].dtype == "int64" and df["lookback"].dtype == "bool"
    for column in ("country", "fiu", "list_source", "match_type", "party_role", "status"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    assert df["party_name"].dtype == "str"


def test_country_and_inclusive_date_range(root):
    both = load_alerts(str(root), "NL", "2026-11-27", "2026-11-28")
    first = load_alerts(str(root), "NL", "2026-11-27", "2026-11-27")
    assert set(both["tx_id"]) == {"nl-1", "nl-3", "nl-9"} and set(first["tx_id"]) == {"nl-1", "nl-3"}
    assert set(load_alerts(str(root))["country"].astype(str)) == {"BE", "ES", "FR", "IT", "NL"}
    assert set(load_alerts(str(root), ["BE", "FR"], "2026-11-27")["country"].astype(str)) == {"BE", "FR"}
    assert load_alerts(str(root), "NL", "2026-12-01").empty
    with pytest.raises(ValueError):
        load_alerts(str(root), "NL", "27.11.2026")


def test_party_key_column_is_the_suppression_key(root):
    df = load_alerts(str(root), "FR")
    assert list(df["party_key"]) == [party_key("Noordzee Bulk Shipping", None)]


def test_files_from_before_lookback_and_status_still_load(root, tmp_path):
    folder = partition_dir(str(tmp_path), "alerts", "NL", "2026-11-27")
    table = pq.read_table(partition_files(str(root), "alerts", "NL", "2026-11-27", "2026-11-27")[0])
    old = table.drop_columns(["lookback", "status"])
    os.makedirs(folder)
    pq.write_table(old, os.path.join(folder, "part-00000.parquet"))
    df = load_alerts(str(tmp_path), "NL")
    assert len(df) == table.num_rows and list(df["lookback"]) == [False] * len(df)
    assert set(df["status"].astype(str)) == {"open"}


def test_quarantine_and_manifests(root):
    q = load_quarantine(str(root), "DE")
    assert list(q["reason"]) == ["amount not a number"] and list(q["source_row"]) == [2]
    assert [m["country"] for m in load_manifests(str(root), "2026-11-27")] == ["BE", "DE", "ES", "FR", "IT", "NL"]
    assert business_dates(str(root)) == ["2026-11-27", "2026-11-28"]


def test_readme_polars_and_duckdb_one_liners(root, monkeypatch):
    monkeypatch.chdir(root)
    nl = pl.scan_parquet("alerts/country=NL/**/*.parquet").filter(pl.col("score") >= 90).collect()
    assert set(nl["tx_id"]) == {"nl-1", "nl-3", "nl-9"}
    per_list = duckdb.sql("SELECT country, list_source, count(*) AS alerts "
                          "FROM read_parquet('alerts/*/*/*.parquet', union_by_name=true) GROUP BY ALL ORDER BY ALL")
    assert ("NL", "coalition", 3) in per_list.fetchall()
