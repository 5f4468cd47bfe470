"""Partition replacement by renames, and recovery from a crash in the middle of one."""

import os

import pytest

from pipelines import commit
from pipelines.commit import TRASH, new_staging_dir, recover_and_clean, replace_dir, write_json_atomic


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.mark.parametrize("atomic", [True, False])
def test_replace_dir_swaps_contents(tmp_path, monkeypatch, atomic):
    if not atomic:  # a filesystem without RENAME_EXCHANGE: two renames through .trash
        monkeypatch.setattr(commit, "_exchange", lambda a, b: False)
    final = tmp_path / "alerts" / "country=NL" / "business_date=2026-11-27"
    _write(str(final / "part-00000.parquet"), "old")
    staged = tmp_path / "stage" / "p"
    _write(str(staged / "part-00000.parquet"), "new")
    replace_dir(str(staged), str(final), str(tmp_path))
    assert (final / "part-00000.parquet").read_text() == "new"
    assert not staged.exists()
    assert not os.path.exists(tmp_path / TRASH) or not os.listdir(tmp_path / TRASH)


def test_recovery_restores_a_partition_caught_between_renames(tmp_path):
    final = tmp_path / "alerts" / "country=NL" / "business_date=2026-11-27"
    item = tmp_path / TRASH / "abc"
    _write(str(item / "data" / "part-00000.parquet"), "old")
    _write(str(item / "target.txt"), str(final))
    notes = recover_and_clean(str(tmp_path))
    assert (final / "part-00000.parquet").read_text() == "old"
    assert notes and "restored" in notes[0]


def test_recovery_removes_stale_staging_but_not_a_live_run(tmp_path):
    stale = tmp_path / ".staging" / "abcd-999999999-0000"
    stale.mkdir(parents=True)
    live = new_staging_dir(str(tmp_path), "efgh")
    recover_and_clean(str(tmp_path))
    assert not stale.exists()
    assert os.path.isdir(live)


def test_write_json_atomic(tmp_path):
    path = tmp_path / "m" / "x.json"
    write_json_atomic(str(path), {"a": 1})
    assert path.read_text().strip() == '{\n  "a": 1\n}'
    assert os.listdir(tmp_path / "m") == ["x.json"]
