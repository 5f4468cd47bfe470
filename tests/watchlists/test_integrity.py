import pytest

from schemas.records import WatchlistEntry
from tests.conftest import make_list
from watchlists.integrity import ListRecord, check_lists, file_sha256


def _entries(n):
    return [WatchlistEntry(f"E-{i}", "coalition", "organization", f"Name {i} Shipping") for i in range(n)]


@pytest.mark.parametrize("before,now,blocked", [(10, 7, False), (10, 6, True), (10, 10, False), (0, 5, False)])
def test_entry_count_drop_beyond_the_share_is_a_problem(before, now, blocked):
    wl = make_list(_entries(now))
    problems = check_lists([wl], {wl.spec: ListRecord("v0", before, "2026-11-26")}, {}, 0.30)
    assert bool(problems) is blocked
    if blocked:
        assert problems[0].acceptable and "fell by 40%" in problems[0].reason


def test_pins_accept_file_hash_or_version_and_reject_others(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("x")
    wl = make_list(_entries(3), spec=f"coalition:{path}")
    assert check_lists([wl], {}, {wl.spec: wl.version}) == []
    assert check_lists([wl], {}, {wl.spec: file_sha256(str(path))}) == []
    (problem,) = check_lists([wl], {}, {wl.spec: "0" * 64})
    assert not problem.acceptable and "pinned" in problem.reason
