"""FollowTheMoney JSON lines and OpenSanctions targets.simple.csv readers, on hand-written
fictional fixtures (no OpenSanctions data: it is CC BY-NC)."""

from __future__ import annotations

import os

import pytest

from schemas.records import Alias, Identifier
from watchlists.errors import WatchlistError
from watchlists.ftm import classify_identifier, read_ftm
from watchlists.opensanctions_csv import read_opensanctions_csv
from watchlists.spec import load_watchlist

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "watchlists")
FTM = os.path.join(FIXTURES, "ftm_small.json")
SIMPLE = os.path.join(FIXTURES, "opensanctions_targets_small.csv")


@pytest.fixture(scope="module")
def ftm():
    return {e.entry_id: e for e in read_ftm(FTM)}


def test_ftm_keeps_party_targets_only(ftm):
    assert {k: e.entity_type for k, e in ftm.items()} == {
        "fx-company-1": "organization", "fx-person-1": "person", "fx-vessel-1": "vessel", "fx-wallet-1": "unknown"}
    assert {e.list_source for e in ftm.values()} == {"opensanctions"}  # entities carry `datasets`


def test_ftm_vessel(ftm):
    vessel = ftm["fx-vessel-1"]
    assert vessel.name == "Nordic Aurora" and vessel.vessel_flag == "CM"
    assert vessel.aliases == (Alias("Aurora N"), Alias("Kapitan Sergeev"), Alias("Aurora", weak=True))
    assert vessel.identifiers == (Identifier("imo", "9528718"), Identifier("mmsi", "273456780"))
    assert (vessel.programs, vessel.listed_on) == (("EU-RUS",), "2025-06-01")


def test_ftm_fragments_merge_and_company_identifiers(ftm):
    company = ftm["fx-company-1"]
    assert Alias("Kapitan Shipping") in company.aliases and Alias("Kapitan", weak=True) in company.aliases
    assert Alias("KSL", weak=True) in company.aliases  # abbreviations never fire on their own
    assert {i.kind: i.value for i in company.identifiers} == {
        "imo_company": "5998877", "lei": "894500ZZTESTLEI0AB86", "bic": "KAPSRUMM", "registration": "1177800000123"}
    assert company.countries == ("RU",) and company.listed_on == "2025-06-02"  # first_seen without createdAt


def test_ftm_wallet_address_and_label(ftm):
    wallet = ftm["fx-wallet-1"]
    assert wallet.identifiers == (Identifier("crypto_address", "0x1f2e3d4c5b6a79880716253443526170a1b2c3d4", "ETH"),)
    assert wallet.aliases == (Alias("Kapitan treasury", weak=True),)


@pytest.mark.parametrize("text, message", [
    ('{"id": "x", "schema": "Vessel"\n', "line 1: not JSON"),
    ('["not", "an", "entity"]\n', "line 1: not an FtM entity"),
    ('{"id": "a", "schema": "Sanction", "properties": {}}\n', "no entities of schemata"),
    ('{"id": "a", "schema": "Person", "properties": {}, "target": true}\n', "FtM Person entity without id or name"),
])  # fmt: skip
def test_ftm_malformed_files_fail(tmp_path, text, message):
    path = tmp_path / "entities.ftm.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WatchlistError, match=message):
        read_ftm(str(path))


def test_simple_csv_rows_and_untyped_identifiers():
    entries = {e.entry_id: e for e in read_opensanctions_csv(SIMPLE)}
    assert sorted(entries) == ["fx-os-owner", "fx-os-person", "fx-os-vessel", "fx-os-wallet"]  # Address skipped
    vessel, owner = entries["fx-os-vessel"], entries["fx-os-owner"]
    assert vessel.identifiers == (Identifier("imo", "9701346"), Identifier("mmsi", "273999111"))
    assert vessel.aliases == (Alias("Stellar W"), Alias("Ocean Pearl")) and vessel.countries == ("CM", "PA")
    assert owner.identifiers == (Identifier("imo_company", "5887766"), Identifier("bic", "KAPSAEAD"),
                                 Identifier("lei", "5299009QX7PLVVHKT029"))  # fmt: skip
    assert entries["fx-os-person"].identifiers == (Identifier("personal_id", "772012345678"),)
    wallet = entries["fx-os-wallet"]
    assert wallet.identifiers == (Identifier("crypto_address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bech32"),)
    assert wallet.aliases == (Alias("Lockbit", weak=True),) and wallet.listed_on == "2023-04-20"


@pytest.mark.parametrize("mutate, message", [
    (lambda lines: [lines[0].replace('"schema"', '"kind"')] + lines[1:], "missing column"),
    (lambda lines: lines[:2] + [lines[1]], "line 3: id 'fx-os-vessel' is duplicated"),
    (lambda lines: lines[:2] + ['"x","Person"'], "line 3: 2 fields, header has 16"),
    (lambda lines: lines[:1], "no rows of a party schema"),
])  # fmt: skip
def test_simple_csv_malformed_files_fail(tmp_path, mutate, message):
    lines = open(SIMPLE, encoding="utf-8").read().splitlines()
    path = tmp_path / "targets.simple.csv"
    path.write_text("\n".join(mutate(lines)) + "\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match=message):
        read_opensanctions_csv(str(path))


@pytest.mark.parametrize("value, schema, expected", [
    ("IMO9701346", "Vessel", Identifier("imo", "9701346")),
    ("IMO9701347", "Vessel", Identifier("imo_company", "9701347")),  # check digit fails: not a ship number
    ("0x1F2E3D4C5B6A79880716253443526170A1B2C3D4", "Person",
     Identifier("crypto_address", "0x1f2e3d4c5b6a79880716253443526170a1b2c3d4", "evm")),
    ("ABCDEFGH", "Person", Identifier("personal_id", "ABCDEFGH")),  # BIC-shaped, but a person has no BIC
])  # fmt: skip
def test_classify_identifier(value, schema, expected):
    assert classify_identifier(value, schema) == expected


def test_specs_load():
    assert len(load_watchlist(f"ftm:{FTM}").entries) == 4
    assert load_watchlist(f"opensanctions-csv:{SIMPLE}").format == "opensanctions-csv"
