"""The run id: the input files' contents (hashed in a background thread) and the run's settings."""

from __future__ import annotations

import os

import pytest

from pipelines.inputs import FileDigests, discover_files, fingerprint

DATE = "2026-11-27"


def _feeds(root, content: bytes = b"tx_id,amount\na,1\n"):
    for kind, name in (("bank", "payments.csv"), ("crypto", "exchange.csv")):
        folder = root / DATE / "NL" / kind
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content + kind.encode())
    return discover_files(str(root / DATE), "NL", DATE)[0]


def test_the_run_id_depends_on_the_files_contents_and_the_settings_only(tmp_path):
    files = _feeds(tmp_path / "a")
    same = _feeds(tmp_path / "b")  # the same contents elsewhere
    assert fingerprint(files, DATE, "NL") == fingerprint(FileDigests(same), DATE, "NL")
    assert fingerprint(files, DATE, "NL") != fingerprint(files, DATE, "NL,BE")
    assert fingerprint(files, DATE, "NL") != fingerprint(files[:1], DATE, "NL")
    changed = _feeds(tmp_path / "c", b"tx_id,amount\na,2\n")
    assert fingerprint(files, DATE, "NL") != fingerprint(changed, DATE, "NL")


def test_a_file_that_cannot_be_read_fails_in_the_callers_thread(tmp_path):
    files = _feeds(tmp_path)
    os.unlink(files[0].path)
    digests = FileDigests(files)
    with pytest.raises(FileNotFoundError):
        digests.result()
