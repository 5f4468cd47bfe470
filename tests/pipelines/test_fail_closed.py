"""A list that cannot be trusted stops the run before anything is written (exit 1)."""

import json
import os

import pytest

from pipelines.cli import main
from tests.conftest import FIXTURES

E2E = os.path.join(FIXTURES, "e2e")
DATE = "2026-11-27"
HEADER = "entry_id,entity_type,name,aliases,countries,imo_number,lei,registration_ids,crypto_addresses,list_source,listed_on,reason\n"


def _list(path, n):
    rows = [f"X-{i:03d},organization,Listed Operator Number {i} BV,,NL,,,,,coalition,2026-03-01,test\n" for i in range(n)]
    path.write_text(HEADER + "".join(rows))
    return f"coalition:{path}"


def _run(out, spec, *extra):
    return main(["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out), "--business-date", DATE,
                 "--country", "NL", "--watchlist", spec, *extra])  # fmt: skip


def _snapshot(root):
    return {os.path.join(b, n): os.stat(os.path.join(b, n)).st_mtime_ns for b, _, ns in os.walk(root) for n in ns}


def test_a_list_that_shrank_stops_the_run_unless_accepted(tmp_path, capsys):
    lst, out = tmp_path / "list.csv", tmp_path / "out"
    spec = _list(lst, 10)
    assert _run(out, spec) == 0
    before = _snapshot(out)
    _list(lst, 6)
    assert _run(out, spec) == 1
    assert "fell by 40%" in capsys.readouterr().err
    assert _snapshot(out) == before  # nothing written
    assert _run(out, spec, "--accept-list-change") == 0
    manifest = json.loads((out / "manifests" / f"business_date={DATE}" / "country=NL.json").read_text())
    assert "fell by 40%" in manifest["accepted_list_changes"][0]
    assert manifest["watchlists"][0]["entries"] == 6


def test_a_pin_mismatch_is_fatal(tmp_path, capsys):
    spec = _list(tmp_path / "list.csv", 3)
    cfg = tmp_path / "run.toml"
    cfg.write_text(f'[pins]\n"{spec}" = "{"a" * 64}"\n')
    assert _run(tmp_path / "out", spec, "--config", str(cfg)) == 1
    assert "pinned" in capsys.readouterr().err
    assert not (tmp_path / "out" / "alerts").exists()


@pytest.mark.parametrize("content,reason", [
    ("", "no"),                                           # empty file
    (HEADER, "no"),                                       # header only: no entries
    ("not,a,coalition,file\n1,2,3,4\n", "column"),       # wrong header
])  # fmt: skip
def test_unusable_lists_are_fatal_and_named(tmp_path, capsys, content, reason):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert _run(tmp_path / "out", f"coalition:{path}") == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and reason in err.lower()
    assert not (tmp_path / "out" / "alerts").exists()


def test_encrypted_run_writes_only_ciphertext_and_needs_every_key(tmp_path, monkeypatch):
    import base64

    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas.arrow import ALERT_SCHEMA
    from schemas.lookback import PARTY_SCHEMA
    from transforms.encryption import read_encrypted

    keys = {"NL": base64.b64encode(b"k" * 32).decode()}
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps(keys))
    e2e_list = f"coalition:{os.path.join(E2E, 'coalition.csv')}"
    out = tmp_path / "out"
    monkeypatch.delenv("FIU_SCREEN_KEY_BE", raising=False)
    assert _run(out, e2e_list, "--encrypt", "--encryption-keys", str(key_file), "--country", "BE") == 2
    assert _run(out, e2e_list, "--encrypt", "--encryption-keys", str(key_file)) == 0
    part = out / "alerts" / "country=NL" / f"business_date={DATE}" / "part-00000.parquet"
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(part)
    table = read_encrypted(str(out / "alerts"), "NL", keys, ALERT_SCHEMA)
    assert sorted(table.column("tx_id").to_pylist()) == ["nl-1", "nl-3"]
    parties = out / "parties" / "country=NL" / f"business_date={DATE}" / "part-00000.parquet"  # written as a table
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(parties)
    stored = read_encrypted(str(out / "parties"), "NL", keys, PARTY_SCHEMA)
    assert {"nl-1", "nl-3"} <= {o["tx_id"] for row in stored.column("occurrences").to_pylist() for o in row}
