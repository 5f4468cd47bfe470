"""ReadFeeds spreads the files over lanes (one per worker) so that the lanes are about equal."""

import pytest

from transforms.feeds import FeedFile, FileContext
from transforms.read import ReadFeeds, spread_files


def _files(tmp_path, sizes):
    out = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(b"x" * size)
        out.append(FeedFile(str(path), FileContext("NL", "2026-11-27", "bank", f"bank/f{i}.csv")))
    return out


def test_every_file_lands_in_exactly_one_lane_and_the_lanes_are_balanced(tmp_path):
    # one country's day: a large XML, a CSV, two small crypto files; twice
    files = _files(tmp_path, [3200, 1600, 450, 620] * 2)
    spread = spread_files(files, 2)
    assert sorted(f for _, f in spread) == sorted(files)
    loads = [sum(len(open(f.path, "rb").read()) for lane, f in spread if lane == i) for i in (0, 1)]
    assert loads == [5870, 5870]


def test_with_one_lane_or_more_lanes_than_files(tmp_path):
    files = _files(tmp_path, [10, 20, 30])
    assert {lane for lane, _ in spread_files(files, 1)} == {0}
    assert sorted(lane for lane, _ in spread_files(files, 5)) == [0, 1, 2]


def test_lanes_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        ReadFeeds(_files(tmp_path, [1]), lanes=0)
