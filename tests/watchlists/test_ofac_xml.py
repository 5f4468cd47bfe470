"""The OFAC SDN advanced XML reader, on a 9-party excerpt of the real 2025-11-19 file."""

from __future__ import annotations

import bz2
import gzip
import os
import shutil

import pytest

from schemas.records import Alias, Identifier
from watchlists.errors import WatchlistError
from watchlists.ofac_xml import read_ofac_xml

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "watchlists")
EXCERPT = os.path.join(FIXTURES, "sdn_advanced_excerpt.xml")
EXCERPT_BZ2 = EXCERPT + ".bz2"


@pytest.fixture(scope="module")
def by_id():
    return {e.entry_id: e for e in read_ofac_xml(EXCERPT)}


def test_all_parties_sorted_with_their_types():
    entries = read_ofac_xml(EXCERPT)
    assert [e.entry_id for e in entries] == sorted(e.entry_id for e in entries)
    assert {e.entry_id: e.entity_type for e in entries} == {
        "12312": "organization", "15036": "vessel", "17067": "organization",
        "17069": "vessel", "20540": "aircraft", "29702": "person", "33151": "organization",
        "47371": "vessel", "9760": "person",
    }
    assert {e.list_source for e in entries} == {"ofac_sdn"}


def test_bz2_and_gzip_read_the_same_as_plain(tmp_path):
    plain = read_ofac_xml(EXCERPT)
    assert read_ofac_xml(EXCERPT_BZ2) == plain
    gz = tmp_path / "sdn_advanced.xml.gz"
    gz.write_bytes(gzip.compress(open(EXCERPT, "rb").read()))
    assert read_ofac_xml(str(gz)) == plain
    no_ext = tmp_path / "sdn_advanced"  # compression is recognised by its magic bytes
    shutil.copy(EXCERPT_BZ2, no_ext)
    assert read_ofac_xml(str(no_ext)) == plain


VESSELS = [  # entry_id, name, IMO, MMSI, flag
    ("15036", "ARTAVIL", "9187629", "572469210", "IR"),
    ("47371", "NS Leader", "9339301", "636013272", "GA"),  # Gabon: not in the file's table
    ("17069", "Chong Chon Gang", "7937317", None, "KP"),  # "Democratic People's Republic..."
]


@pytest.mark.parametrize("entry_id,name,imo,mmsi,flag", VESSELS)
def test_vessels(by_id, entry_id, name, imo, mmsi, flag):
    vessel = by_id[entry_id]
    assert vessel.name == name and vessel.vessel_flag == flag
    assert Identifier("imo", imo) in vessel.identifiers
    assert [i.value for i in vessel.identifiers if i.kind == "mmsi"] == ([mmsi] if mmsi else [])


def test_low_quality_alias_is_weak_and_others_strong(by_id):
    assert by_id["15036"].aliases == (Alias("ABADAN"), Alias("ALPHA", weak=True), Alias("SHONA"))
    assert by_id["33151"].aliases == (Alias("Successful Exchange", weak=True),)


def test_alternate_scripts_are_aliases_and_name_parts_keep_their_order(by_id):
    lukashenka = by_id["9760"]
    assert lukashenka.name == "Lukashenka Alyaksandr Ryhorovich"
    names = [a.name for a in lukashenka.aliases]
    assert "Лукашэнка Аляксандр Рыгоравiч" in names and "Lukashenko Aleksandr Grigorevich" in names
    assert lukashenka.name not in names and not any(a.weak for a in lukashenka.aliases)
    assert lukashenka.countries == ("BY",)  # from a nationality location named "Belarus"


def test_crypto_addresses_keep_their_currency(by_id):
    suex = by_id["33151"].identifiers
    crypto = [i for i in suex if i.kind == "crypto_address"]
    assert {i.note for i in crypto} == {"XBT", "ETH", "USDT"}
    assert Identifier("crypto_address", "1B64QRxfaa35MVkf7sDjuGUYAP5izQt7Qi", "XBT") in crypto
    assert Identifier("crypto_address", "0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535", "USDT") in crypto
    lifshits = {(i.note, i.value) for i in by_id["29702"].identifiers if i.kind == "crypto_address"}
    assert ("LTC", "Leo3j36nn1JcsUQruytQhFUdCdCH5YHMR3") in lifshits
    assert ("ETH", "0x901bb9583b24d97e995513c6778dc6888ab6870e") in lifshits
    total = sum(i.kind == "crypto_address" for e in by_id.values() for i in e.identifiers)
    assert total == 31


def test_other_identifiers(by_id):
    assert Identifier("lei", "5299007NTWCC3U23WM81") in by_id["33151"].identifiers
    assert by_id["12312"].identifiers == (Identifier("bic", "KDBKKPPY"),)
    assert by_id["17067"].identifiers == (Identifier("imo_company", "5342883"),)
    assert Identifier("personal_id", "719032284", "Passport") in by_id["29702"].identifiers
    assert by_id["20540"].identifiers == ()


def test_countries_programs_and_listing_date(by_id):
    suex = by_id["33151"]
    assert suex.countries == ("RU", "CZ") and suex.programs == ("CYBER2",)
    assert suex.listed_on == "2021-09-21"
    assert by_id["15036"].programs == ("IRAN",) and by_id["15036"].listed_on == "2012-07-12"


def _text():
    return open(EXCERPT, encoding="utf-8").read()


def _write(tmp_path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return str(path)


BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<Sanctions>&lol2;</Sanctions>')
EXTERNAL = ('<?xml version="1.0"?>\n<!-- hello -->\n<!DOCTYPE s SYSTEM "file:///etc/passwd">\n'
            '<Sanctions/>')
BAD_FILES = [
    ("truncated", "sdn_advanced.xml", lambda: _text()[: len(_text()) // 2], "cannot parse"),
    ("truncated bz2", "sdn_advanced.xml.bz2",
     lambda: open(EXCERPT_BZ2, "rb").read()[:5000], "cannot parse"),
    ("not xml", "sdn_advanced.xml", lambda: "entry_id,name\n1,ACME\n", "not an XML document"),
    ("empty", "sdn_advanced.xml", lambda: b"", "not an XML document"),
    ("entity bomb", "sdn_advanced.xml", lambda: BOMB, "DOCTYPE/ENTITY"),
    ("external entity", "sdn_advanced.xml", lambda: EXTERNAL, "DOCTYPE/ENTITY"),
    ("fake bz2", "sdn_advanced.xml.bz2", lambda: _text(), "named .bz2 but the content is plain"),
    ("other xml", "sdn_advanced.xml", lambda: "<?xml version='1.0'?><a><b/></a>",
     "no ReferenceValueSets"),
    ("no parties", "sdn_advanced.xml",
     lambda: _text()[: _text().index("<DistinctParties>")] + "</Sanctions>", "no DistinctParty"),
    ("bz2 of garbage", "x.xml.bz2", lambda: bz2.compress(b"\x00\x01 not xml"), "not an XML"),
]  # fmt: skip


@pytest.mark.parametrize("case,name,make,reason", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_fail_closed(tmp_path, case, name, make, reason):
    with pytest.raises(WatchlistError) as err:
        read_ofac_xml(_write(tmp_path, name, make()))
    assert reason in err.value.reason


def test_missing_file_fails(tmp_path):
    with pytest.raises(WatchlistError):
        read_ofac_xml(str(tmp_path / "absent.xml"))


def test_namespace_agnostic(tmp_path):
    text = _text().replace(
        'xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"',
        'xmlns="urn:example:another-version"')
    assert read_ofac_xml(_write(tmp_path, "other_ns.xml", text)) == read_ofac_xml(EXCERPT)
