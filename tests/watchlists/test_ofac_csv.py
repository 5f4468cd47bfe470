"""The OFAC legacy CSV reader, on moov-io's 17-record fixture of real SDN rows."""

from __future__ import annotations

import os
import shutil

import pytest

from schemas.records import Alias, Identifier
from watchlists.errors import WatchlistError
from watchlists.ofac_csv import country_code, read_ofac_csv

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "watchlists", "ofac_csv")
SDN_ROW = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'


@pytest.fixture(scope="module")
def by_id():
    return {e.entry_id: e for e in read_ofac_csv(FIXTURE)}


def test_all_records_sorted_by_entry_id():
    entries = read_ofac_csv(FIXTURE)
    assert len(entries) == 17
    assert [e.entry_id for e in entries] == sorted(e.entry_id for e in entries)
    counts = {t: sum(e.entity_type == t for e in entries) for t in {e.entity_type for e in entries}}
    assert counts == {"organization": 7, "person": 4, "vessel": 4, "aircraft": 2}


VESSELS = [  # ent_num, name, IMO, MMSI, flag
    ("40716", "IRIS MAKRAN", "9486910", None, "IR"),
    ("47371", "NS LEADER", "9339301", "636013272", "GA"),  # "Identification Number IMO …"
    ("50972", "FRUNZE", "9263643", "518998343", "CK"),
    ("52327", "TASCA", "9313149", "352002494", "PA"),
]


@pytest.mark.parametrize("ent_num,name,imo,mmsi,flag", VESSELS)
def test_vessels(by_id, ent_num, name, imo, mmsi, flag):
    vessel = by_id[ent_num]
    assert (vessel.name, vessel.entity_type, vessel.vessel_flag) == (name, "vessel", flag)
    assert Identifier("imo", imo) in vessel.identifiers
    assert [i.value for i in vessel.identifiers if i.kind == "mmsi"] == ([mmsi] if mmsi else [])


def test_alt_names_are_strong_and_remark_akas_weak(by_id):
    hesa = by_id["11195"]
    assert Alias("HESA TRADE CENTER") in hesa.aliases
    assert Alias("HESA", weak=True) in hesa.aliases and Alias("SHAHIN CO.", weak=True) in hesa.aliases
    assert by_id["40716"].aliases == (Alias("MAKRAN", weak=True),)
    assert by_id["10278"].aliases == (Alias("BURTON BURGESS", weak=True),)


def test_remarks_continue_in_sdn_comments(by_id):
    suex = by_id["33151"]
    crypto = [i for i in suex.identifiers if i.kind == "crypto_address"]
    # the address is cut in sdn.csv ("1B64QRxf") and ends in sdn_comments.csv
    assert Identifier("crypto_address", "1B64QRxfaa35MVkf7sDjuGUYAP5izQt7Qi", "XBT") in crypto
    assert Identifier("crypto_address", "0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535", "USDT") in crypto
    assert {i.note for i in crypto} == {"XBT", "ETH", "USDT"}
    assert Identifier("lei", "5299007NTWCC3U23WM81") in suex.identifiers
    assert Alias("SUCCESSFUL EXCHANGE", weak=True) in suex.aliases


def test_crypto_addresses_and_bech32_normalised(by_id):
    lifshits = {(i.note, i.value) for i in by_id["29702"].identifiers}
    assert {("XBT", "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"), ("LTC", "Leo3j36nn1JcsUQruytQhFUdCdCH5YHMR3"),
            ("DASH", "Xs3vzQmNvAxRa3Xo8XzQqUb3BMgb9EogF4")} <= lifshits
    assert by_id["48603"].identifiers == (
        Identifier("crypto_address", "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z", "XBT"),)


def test_countries_programs_and_organization_default(by_id):
    gaddafi = by_id["12685"]
    assert gaddafi.entity_type == "organization" and gaddafi.countries == ("LY", "CH")
    assert by_id["11195"].programs == ("NPWMD", "IFSR", "IRAN-CON-ARMS-EO")
    assert by_id["11195"].countries == ("IR",)
    assert by_id["10278"].countries == ()  # its add.csv row is all -0-


@pytest.mark.parametrize("name,code", [
    ("Iran", "IR"), ("Korea, North", "KP"), ("Democratic People's Republic of Korea", "KP"),
    ("St. Kitts & Nevis", "KN"), ("Bahamas, The", "BS"), ("The Gambia", "GM"), ("Gambia", "GM"),
    ("PANAMA", "PA"), ("Region: Kafia Kingi", None), ("", None), (None, None),
])  # fmt: skip
def test_country_names(name, code):
    assert country_code(name) == code


def _dir(tmp_path, files: dict[str, bytes]) -> str:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return str(tmp_path)


def test_encoding_ctrl_z_and_upper_case_names(tmp_path):
    sdn = ('7,"CAFÉ DEL PUERTO S.L.",-0- ,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
           '"Vessel Registration Identification IMO 9187629."\r\n').encode("cp1252") + b"\x1a"
    [entry] = read_ofac_csv(_dir(tmp_path, {"SDN.CSV": SDN_ROW.encode() + sdn}))[1:]
    assert entry.name == "CAFÉ DEL PUERTO S.L." and entry.entity_type == "organization"
    # an IMO number on a non-vessel is an IMO company number, not a ship's
    assert entry.identifiers == (Identifier("imo_company", "9187629"),)


def test_truncated_remark_without_comments_keeps_no_partial_address(tmp_path):
    cut = ('1,"X",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
           '"Digital Currency Address - XBT 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz; '
           'alt. Digital Currency Address - XBT 1DT3ten"\r\n')
    [entry] = read_ofac_csv(_dir(tmp_path, {"sdn.csv": cut.encode()}))
    assert entry.identifiers == (
        Identifier("crypto_address", "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz", "XBT"),)


BAD_DIRS = [
    ("no sdn.csv", {"alt.csv": b'1,2,"aka","X",-0- \r\n'}, "sdn.csv is missing"),
    ("empty sdn.csv", {"sdn.csv": b"\x1a"}, "no records"),
    ("wrong field count", {"sdn.csv": b'36,"AEROCARIBBEAN AIRLINES","CUBA"\r\n'}, "3 fields"),
    ("ent_num not a number", {"sdn.csv": SDN_ROW.replace("36", "X36", 1).encode()}, "ent_num"),
    ("no name", {"sdn.csv": SDN_ROW.replace('"AEROCARIBBEAN AIRLINES"', "-0- ").encode()},
     "no name"),
    ("duplicate", {"sdn.csv": (SDN_ROW * 2).encode()}, "duplicated"),
    ("bad alt.csv", {"sdn.csv": SDN_ROW.encode(), "alt.csv": b"36,1\r\n"}, "2 fields"),
    ("bad quoting", {"sdn.csv": SDN_ROW.encode() + b'37,"A"B",-0-\r\n'}, "not a valid CSV"),
]  # fmt: skip


@pytest.mark.parametrize("case,files,reason", BAD_DIRS, ids=[c[0] for c in BAD_DIRS])
def test_bad_directories_fail_closed(tmp_path, case, files, reason):
    with pytest.raises(WatchlistError) as err:
        read_ofac_csv(_dir(tmp_path, files))
    assert reason in err.value.reason


def test_not_a_directory(tmp_path):
    with pytest.raises(WatchlistError, match="not a directory"):
        read_ofac_csv(str(tmp_path / "absent"))


def test_optional_files_may_be_missing(tmp_path):
    shutil.copy(os.path.join(FIXTURE, "sdn.csv"), tmp_path / "sdn.csv")
    entries = {e.entry_id: e for e in read_ofac_csv(str(tmp_path))}
    assert len(entries) == 17 and entries["11195"].countries == ()
    assert Alias("HESA", weak=True) in entries["11195"].aliases
