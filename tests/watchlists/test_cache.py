"""The on-disk cache of parsed lists: the same entries and version as a parse, and a parse
again whenever the file, the cache entry or the setting says so."""

from __future__ import annotations

import bz2
import datetime
import json
import os
import shutil

import pytest

from tests.conftest import FIXTURES
from watchlists import cache
from watchlists.ofac_xml import read_ofac_xml
from watchlists.spec import load_watchlist

EXCERPT = os.path.join(FIXTURES, "watchlists", "sdn_advanced_excerpt.xml.bz2")


@pytest.fixture
def lists(tmp_path, monkeypatch):
    """A copy of the real OFAC excerpt, a fresh cache folder, every file cached, parses counted."""
    path = tmp_path / "sdn.xml.bz2"
    shutil.copy(EXCERPT, path)
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    calls = []

    def counting(p):
        calls.append(p)
        return read_ofac_xml(p)

    monkeypatch.setitem(__import__("watchlists.spec").spec.READERS, "ofac-xml", counting)
    return path, folder, calls


def test_second_load_comes_from_the_cache_with_equal_entries_and_version(lists):
    path, folder, calls = lists
    first = load_watchlist(f"ofac-xml:{path}")
    second = load_watchlist(f"ofac-xml:{path}")
    assert len(calls) == 1 and len(os.listdir(folder)) == 1
    assert second == first  # entries (aliases, identifiers: the NamedTuple types too) and version
    assert second.entries and all(type(a).__name__ == "Alias" for e in second.entries for a in e.aliases)
    assert any(e.identifiers for e in second.entries)


def test_a_changed_file_is_parsed_again(lists):
    path, folder, calls = lists
    first = load_watchlist(f"ofac-xml:{path}")
    data = bz2.decompress(path.read_bytes())
    path.write_bytes(bz2.compress(data, compresslevel=1))  # same list, other bytes
    assert load_watchlist(f"ofac-xml:{path}").version == first.version
    path.write_bytes(bz2.compress(data.replace(b"<Value>", b"<Value>X", 1)))  # another list
    load_watchlist(f"ofac-xml:{path}")
    assert len(calls) == 3 and len(os.listdir(folder)) == 3


@pytest.mark.parametrize("damage", ["truncate", "tamper", "shape"])
def test_a_damaged_cache_entry_is_ignored_and_written_again(lists, damage):
    path, folder, calls = lists
    first = load_watchlist(f"ofac-xml:{path}")
    (name,) = [os.path.join(folder, n) for n in os.listdir(folder)]
    stored = json.load(open(name, encoding="utf-8"))
    if damage == "truncate":
        text = open(name, encoding="utf-8").read()
        open(name, "w", encoding="utf-8").write(text[: len(text) // 2])
    elif damage == "tamper":  # a name changed: the stored version no longer matches
        stored["entries"][0][3] = "Someone Else"
        json.dump(stored, open(name, "w", encoding="utf-8"))
    else:
        stored["entries"] = [["too", "short"]]
        json.dump(stored, open(name, "w", encoding="utf-8"))
    assert load_watchlist(f"ofac-xml:{path}") == first
    assert len(calls) == 2
    assert load_watchlist(f"ofac-xml:{path}") == first and len(calls) == 2  # rewritten, good again


def test_off_small_files_and_an_unwritable_folder_always_parse(lists, monkeypatch):
    path, folder, calls = lists
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    load_watchlist(f"ofac-xml:{path}")
    load_watchlist(f"ofac-xml:{path}")
    assert len(calls) == 2 and not folder.exists()
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "MIN_BYTES", os.path.getsize(path) + 1)
    load_watchlist(f"ofac-xml:{path}")
    assert len(calls) == 3 and not folder.exists()
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    blocker = folder.parent / "blocker"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "lists"))
    first = load_watchlist(f"ofac-xml:{path}")
    assert load_watchlist(f"ofac-xml:{path}") == first and len(calls) == 5


def test_the_cache_keeps_every_listed_names_key_and_the_index_takes_them(lists):
    """A list is prepared once per version: its names' keys come from the cache, equal to
    `name_key`'s, and the index takes them instead of working them out again."""
    from watchlists.matcher import Matcher, PartyQuery
    from watchlists.normalize import name_key

    path, _, calls = lists
    load_watchlist(f"ofac-xml:{path}")
    wl = load_watchlist(f"ofac-xml:{path}")
    assert len(calls) == 1 and wl.name_keys is not None
    names = {n for e in wl.entries for n in (e.name, *(a.name for a in e.aliases))}
    assert dict(wl.name_keys) == {n: name_key(n) for n in names}
    queries = [PartyQuery(name=e.name) for e in wl.entries[:40]] + [PartyQuery(name="Nobody Listed At All")]
    assert Matcher([wl]).screen(queries) == Matcher([wl._replace(name_keys=None)]).screen(queries)
    target = next(e for e in wl.entries if name_key(e.name) is not None and e.name.isascii())
    swapped = wl._replace(name_keys=tuple((n, name_key("Quite Another Listed Name") if n == target.name else k)
                                          for n, k in wl.name_keys))  # fmt: skip
    found = Matcher([swapped]).screen([PartyQuery(name="Quite Another Listed Name")])[0]
    assert target.entry_id in {m.entry_id for m in found}


def test_lists_go_to_the_workers_as_bytes_and_come_back_equal(lists):
    """The workers get the loaded lists as marshalled plain tuples: every NamedTuple, the names'
    keys and a list without them come back equal; a value marshal does not take is pickled."""
    from watchlists.spec import lists_from_bytes, lists_to_bytes

    path, _, _ = lists
    wl = load_watchlist(f"ofac-xml:{path}")
    plain = [wl, wl._replace(spec="copy", name_keys=None)]
    data = lists_to_bytes(plain)
    assert data[:1] == b"M" and lists_from_bytes(data) == plain
    back = lists_from_bytes(data)[0]
    assert type(back.entries[0]) is type(wl.entries[0]) and all(type(a).__name__ == "Alias" for e in back.entries for a in e.aliases)
    assert all(type(k).__name__ == "NameKey" for _, k in back.name_keys if k is not None)
    odd = [wl._replace(entries=(wl.entries[0]._replace(listed_on=datetime.date(2026, 11, 27)),))]
    assert lists_from_bytes(lists_to_bytes(odd)) == odd and lists_to_bytes(odd)[:1] == b"P"
