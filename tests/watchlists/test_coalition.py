"""The coalition CSV reader: columns, aliases, identifiers, and fail-closed validation."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.records import Alias, Identifier
from watchlists.coalition import COLUMNS, parse_coalition, read_coalition
from watchlists.errors import WatchlistError
from watchlists.identifiers import imo_check_ok

HERE = os.path.dirname(__file__)
SMALL = os.path.join(HERE, "..", "fixtures", "watchlists", "coalition_small.csv")
BUNDLED = os.path.join(HERE, "..", "..", "watchlists", "data", "coalition.csv")
HEADER = ",".join(COLUMNS)
GOOD_ROW = "C-1,organization,Kallovoort Koeltransport NV,KKT Logistics,BE,,,,,,2026-02-03,reefer trucking"


def _write(tmp_path, text: str, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_small_fixture_is_read_in_entry_id_order():
    entries = read_coalition(SMALL)
    assert [e.entry_id for e in entries] == ["T-1", "T-2", "T-3"]
    assert [e.entity_type for e in entries] == ["organization", "vessel", "person"]


def test_aliases_weak_marker_dedupe_and_primary_not_repeated():
    by_id = {e.entry_id: e for e in read_coalition(SMALL)}
    assert by_id["T-1"].aliases == (
        Alias("MRL Rotterdam"), Alias("Maasvlakte Reefer"), Alias("MRL", weak=True))
    assert by_id["T-2"].aliases == (Alias("MV Marisol Star"), Alias("Marisol", weak=True))
    assert by_id["T-3"].aliases == ()


def test_identifiers_are_normalised():
    by_id = {e.entry_id: e for e in read_coalition(SMALL)}
    assert by_id["T-1"].identifiers == (
        Identifier("lei", "969500K7TQ2M8RXD4N84"),
        Identifier("registration", "KVK 81734265"),
        Identifier("crypto_address", "0x6cc27051eff56cffd00348d0c55ce5ec5c756672", "evm"),
        Identifier("crypto_address", "TDhA2H8CGfVUBMri6y6oxcCWPVSjeh3qcE", "tron"),
    )
    assert by_id["T-2"].identifiers == (Identifier("imo", "3184522"),)
    assert by_id["T-3"].identifiers == (
        Identifier("crypto_address", "bc1qtud894xsw63u59rx29tyljaw0574am4e63u9xl", "bech32"),)


def test_other_columns():
    by_id = {e.entry_id: e for e in read_coalition(SMALL)}
    t1, t2, t3 = by_id["T-1"], by_id["T-2"], by_id["T-3"]
    assert t1.countries == ("NL", "BE") and t2.countries == ("PA",)
    assert t1.reason == "front company for cocaine imports via Rotterdam, in banana reefers"
    assert (t1.listed_on, t3.listed_on, t3.reason) == ("2026-01-14", None, None)
    assert (t1.list_source, t2.list_source, t3.list_source) == ("coalition", "coalition", "regional")


def test_bundled_demo_list_is_clean_and_shipping_themed():
    entries = read_coalition(BUNDLED)
    assert 25 <= len(entries) <= 40
    assert {e.entity_type for e in entries} == {"organization", "vessel", "person"}
    assert all(e.list_source == "coalition" and (e.listed_on or "").startswith("2026")
               for e in entries)
    imos = [i.value for e in entries for i in e.identifiers if i.kind == "imo"]
    assert len(imos) >= 3 and all(imo_check_ok(v) for v in imos)
    chains = {i.note for e in entries for i in e.identifiers if i.kind == "crypto_address"}
    assert chains == {"evm", "bech32", "tron"}


BAD_FILES = [
    ("missing column", HEADER.replace(",imo_number", "") + "\n", "missing column(s): imo_number"),
    ("duplicate column", HEADER + ",name\n" + GOOD_ROW + ",x\n", "duplicated column(s): name"),
    ("empty file", "", "empty file"),
    ("header only", HEADER + "\n", "no entries"),
    ("empty entry_id", HEADER + "\n" + GOOD_ROW.replace("C-1", "") + "\n", "line 2: entry_id"),
    ("empty name", HEADER + "\n" + GOOD_ROW.replace("Kallovoort Koeltransport NV", " ") + "\n",
     "line 2: name is empty"),
    ("bad entity_type", HEADER + "\n" + GOOD_ROW.replace("organization", "company") + "\n",
     "line 2: entity_type"),
    ("bad IMO check digit", HEADER + "\n" + "V-1,vessel,Marisol Star,,PA,3184523,,,,,,\n",
     "line 2: imo_number"),
    ("bad LEI", HEADER + "\n" + "C-1,organization,X BV,,NL,,969500K7TQ2M8RXD4N85,,,,,\n",
     "line 2: lei"),
    ("bad country", HEADER + "\n" + GOOD_ROW.replace(",BE,", ",Belgium,") + "\n",
     "line 2: countries"),
    ("bad date", HEADER + "\n" + GOOD_ROW.replace("2026-02-03", "03/02/2026") + "\n",
     "line 2: listed_on"),
    ("duplicate id", HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW + "\n", "line 3: entry_id 'C-1'"),
    ("short row", HEADER + "\n" + GOOD_ROW + "\nC-2,person,Jan\n", "line 3: 3 fields"),
    ("unclosed quote", HEADER + "\n" + GOOD_ROW + '\nC-2,person,"Jan,,,,,,,,,\n', "line"),
]  # fmt: skip


@pytest.mark.parametrize("case,text,reason", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_fail_closed(tmp_path, case, text, reason):
    with pytest.raises(WatchlistError) as err:
        read_coalition(_write(tmp_path, text))
    assert reason in err.value.reason


def test_not_utf8_and_missing_file_fail(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + GOOD_ROW.replace("NV", "NV \xe9") + "\n").encode("latin-1"))
    with pytest.raises(WatchlistError, match="UTF-8"):
        read_coalition(str(path))
    with pytest.raises(WatchlistError):
        read_coalition(str(tmp_path / "absent.csv"))


def test_blank_lines_and_crlf_are_fine(tmp_path):
    text = HEADER + "\r\n\r\n" + GOOD_ROW + "\r\n\r\n"
    [entry] = read_coalition(_write(tmp_path, text))
    assert entry.name == "Kallovoort Koeltransport NV" and entry.aliases == (Alias("KKT Logistics"),)


@given(st.lists(st.text(alphabet="abcDEF xyz~", min_size=1, max_size=12), max_size=6))
def test_aliases_never_repeat_the_name_or_each_other(names):
    row = ["C-1", "organization", "abc", "|".join(names)] + [""] * (len(COLUMNS) - 4)
    [entry] = parse_coalition("t", [HEADER, ",".join(row)])
    keys = [a.name.casefold() for a in entry.aliases]
    assert len(keys) == len(set(keys)) and "abc" not in keys
    assert all(a.name and not a.name.startswith("~") for a in entry.aliases)
