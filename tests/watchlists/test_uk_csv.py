"""The UK sanctions list CSV reader in both layouts: FCDO UK Sanctions List (hand-written, with a
ship) and OFSI ConList (a verbatim OGL excerpt); malformed files fail the whole list."""

from __future__ import annotations

import os

import pytest

from schemas.records import Alias, Identifier
from watchlists.errors import WatchlistError
from watchlists.spec import load_watchlist
from watchlists.uk_csv import read_uk_csv

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "watchlists")
FCDO = os.path.join(FIXTURES, "uk_fcdo_small.csv")
OFSI = os.path.join(FIXTURES, "uk_ofsi_conlist_excerpt.csv")


@pytest.fixture(scope="module")
def fcdo():
    return {e.entry_id: e for e in read_uk_csv(FCDO)}


def test_fcdo_rows_grouped_into_designations(fcdo):
    assert {k: (e.entity_type, e.name) for k, e in fcdo.items()} == {
        "RUS9901": ("vessel", "SEA FALCON"),
        "RUS9902": ("organization", "FALCON MARITIME LTD"),
        "RUS9903": ("person", "Oleg Igorevich PETROV"),
    }
    assert {e.list_source for e in fcdo.values()} == {"uk_fcdo"}


def test_fcdo_ship_imo_flag_and_aliases(fcdo):
    ship = fcdo["RUS9901"]
    assert ship.identifiers == (Identifier("imo", "9312456"),)
    assert ship.vessel_flag == "CM" and ship.aliases == (Alias("OCEAN FALCON"),)
    assert ship.listed_on == "2025-05-15" and ship.programs == ("The Russia (Sanctions) (EU Exit) Regulations 2019",)


def test_fcdo_low_quality_alias_is_weak_and_company_imo_is_not_a_ship(fcdo):
    owner = fcdo["RUS9902"]
    assert owner.aliases == (Alias("FML", weak=True),)
    assert owner.identifiers == (Identifier("imo_company", "5512345"),)
    assert owner.countries == ("AE",)


def test_fcdo_person_countries_and_non_latin_name(fcdo):
    person = fcdo["RUS9903"]
    assert person.countries == ("RU", "CY")
    assert Alias("Олег Игоревич ПЕТРОВ") in person.aliases
    assert Identifier("personal_id", "753912468", "passport") in person.identifiers


def test_ofsi_conlist_layout():
    entries = {e.entry_id: e for e in read_uk_csv(OFSI)}
    assert sorted(entries) == ["13063", "9053", "9215"]
    assert {e.list_source for e in entries.values()} == {"uk_ofsi"}
    assert entries["9053"].name == "Mohsen HOJATI" and entries["9053"].listed_on == "2007-03-24"
    assert entries["13063"].name == "Kateryna Yuriyivna HUBARIEVA" and entries["13063"].countries == ("UA",)
    assert Alias("سعید حافظ محمد") in entries["9215"].aliases


@pytest.mark.parametrize("mutate, message", [
    (lambda lines: lines[:1], "no header row with 'Name 6'"),
    (lambda lines: lines[:2], "no designations"),
    (lambda lines: lines[:3] + [lines[3].rsplit(",", 3)[0]], "line 4: 55 fields, header has 58"),
    (lambda lines: lines[:2] + [lines[2].replace("RUS9901", "", 1)], "line 3: no unique id"),
    (lambda lines: [lines[0], lines[1].replace("Unique ID", "Unique Key").replace("OFSI Group ID", "Group Key")]
     + lines[2:], "neither Unique ID nor Group ID"),
])  # fmt: skip
def test_malformed_files_fail_the_whole_list(tmp_path, mutate, message):
    lines = open(FCDO, encoding="utf-8").read().splitlines()
    path = tmp_path / "uk.csv"
    path.write_text("\n".join(mutate(lines)) + "\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match=message):
        read_uk_csv(str(path))


def test_cp1252_file_is_read(tmp_path):
    path = tmp_path / "uk.csv"
    path.write_bytes(open(FCDO, encoding="utf-8").read().replace("Олег Игоревич ПЕТРОВ", "").replace(
        "SEA FALCON", "SEA FALCÓN").encode("cp1252"))
    assert {e.entry_id: e.name for e in read_uk_csv(str(path))}["RUS9901"] == "SEA FALCÓN"


def test_spec_loads():
    wl = load_watchlist(f"uk-csv:{FCDO}")
    assert (wl.format, len(wl.entries)) == ("uk-csv", 3)
