"""The UN consolidated list and EU financial sanctions XML readers: a verbatim UN excerpt, a
hand-written EU file, compression, and broken or hostile files that must fail the whole list."""

from __future__ import annotations

import gzip
import os

import pytest

from schemas.records import Alias, Identifier
from watchlists.errors import WatchlistError
from watchlists.eu_xml import read_eu_xml
from watchlists.spec import load_watchlist
from watchlists.un_xml import read_un_xml, un_country

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "watchlists")
UN = os.path.join(FIXTURES, "un_excerpt.xml")
EU = os.path.join(FIXTURES, "eu_fsf_small.xml")


@pytest.fixture(scope="module")
def un():
    return {e.entry_id: e for e in read_un_xml(UN)}


@pytest.fixture(scope="module")
def eu():
    return {e.entry_id: e for e in read_eu_xml(EU)}


def test_un_records_typed_named_and_sorted(un):
    assert list(un) == ["CDe.001", "CDi.001", "CDi.003", "KPe.020"]
    assert {k: (e.entity_type, e.name) for k, e in un.items()} == {
        "CDe.001": ("organization", "ADF"),
        "CDi.001": ("person", "ERIC BADEGE"),
        "CDi.003": ("person", "GASTON IYAMUREMYE"),
        "KPe.020": ("organization", "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)"),
    }
    assert {e.list_source for e in un.values()} == {"un_sc"}
    assert un["CDi.001"].programs == ("DRC",) and un["CDi.001"].listed_on == "2012-12-31"


def test_un_low_quality_alias_is_weak_and_fka_strong(un):
    weak = [a.name for a in un["CDi.003"].aliases if a.weak]
    strong = [a.name for a in un["CDi.003"].aliases if not a.weak]
    assert weak == ["Rumuli"] and "Byiringiro Victor Rumuli" in strong
    assert Alias("NALU") in un["CDe.001"].aliases  # f.k.a. is a real former name
    assert un["CDi.001"].aliases == ()  # an empty <ALIAS_NAME/> is no alias


def test_un_countries_and_imo_company_number(un):
    assert un["CDi.001"].countries == ("CD", "RW")  # nationality, then address
    assert un["KPe.020"].identifiers == (Identifier("imo_company", "1790183"),)
    assert un_country("Iran (Islamic Republic of)") == "IR" and un_country("Atlantis") is None


def test_eu_entities_weak_alias_and_identifiers(eu):
    company, person = eu["990101"], eu["990201"]
    assert (company.entity_type, company.name, company.list_source) == ("organization", "Baltic Horizon Tankers LLC",
                                                                        "eu_fsf")  # fmt: skip
    assert company.aliases == (Alias("Балтийский Горизонт Танкерс"), Alias("BHT", weak=True))
    assert company.identifiers == (Identifier("imo_company", "6012345"), Identifier("bic", "BHTKRUMM"),
                                   Identifier("registration", "1027800000017", "Registration Number"))  # fmt: skip
    assert (company.countries, company.programs, company.listed_on) == (("RU",), ("RUS",), "2025-05-20")
    assert person.entity_type == "person" and person.name == "Ivan Petrovich KORABELNIKOV"  # composed name
    assert person.countries == ("BY",)  # "00" (unknown) is left out
    assert Identifier("personal_id", "MP1234567", "National passport") in person.identifiers


def test_eu_same_logical_id_twice_is_merged(tmp_path):
    text = open(EU, encoding="utf-8").read()
    start, end = text.index("    <sanctionEntity"), text.index("    </sanctionEntity>") + len("    </sanctionEntity>\n")
    twice = text[:end] + text[start:end].replace("Baltic Horizon Tankers LLC", "Baltic Horizon Shipping") + text[end:]
    path = tmp_path / "eu.xml"
    path.write_text(twice, encoding="utf-8")
    merged = {e.entry_id: e for e in read_eu_xml(str(path))}["990101"]
    assert merged.name == "Baltic Horizon Tankers LLC" and Alias("Baltic Horizon Shipping") in merged.aliases


def test_gzipped_lists_read_like_plain(tmp_path):
    for path, reader in ((UN, read_un_xml), (EU, read_eu_xml)):
        gz = tmp_path / (os.path.basename(path) + ".gz")
        gz.write_bytes(gzip.compress(open(path, "rb").read()))
        assert reader(str(gz)) == reader(path)


def _variant(tmp_path, source: str, old: str, new: str, name: str) -> str:
    path = tmp_path / name
    text = open(source, encoding="utf-8").read()
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("source, reader, old, new, message", [
    (UN, read_un_xml, "</CONSOLIDATED_LIST>", "", "cannot parse UN consolidated XML: no element found"),
    (UN, read_un_xml, "<CONSOLIDATED_LIST", '<!DOCTYPE x [<!ENTITY a "b">]><CONSOLIDATED_LIST',
     "DOCTYPE/ENTITY declarations are refused"),
    (UN, read_un_xml, "<REFERENCE_NUMBER>CDi.003</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>",
     "UN reference number 'CDi.001' is duplicated"),
    (UN, read_un_xml, "<FIRST_NAME>ADF</FIRST_NAME>", "", "UN ENTITY without reference number or name"),
    (EU, read_eu_xml, "<export ", "<exports ", "not an EU financial sanctions file: root element <exports>"),
    (EU, read_eu_xml, 'logicalId="990201"', 'logicalIdX="990201"', "sanctionEntity without logicalId or name"),
])  # fmt: skip
def test_broken_or_hostile_lists_fail_whole(tmp_path, source, reader, old, new, message):
    with pytest.raises(WatchlistError, match=message.replace("(", r"\(").replace(")", r"\)")):
        reader(_variant(tmp_path, source, old, new, "list.xml"))


def test_a_file_of_the_other_kind_is_refused(tmp_path):
    with pytest.raises(WatchlistError, match="not a UN consolidated list: root element <export>"):
        read_un_xml(EU)
    with pytest.raises(WatchlistError, match="not an EU financial sanctions file"):
        read_eu_xml(UN)


def test_specs_load_both_lists_with_a_content_version():
    un_list, eu_list = load_watchlist(f"un-xml:{UN}"), load_watchlist(f"eu-xml:{EU}")
    assert (un_list.format, len(un_list.entries), len(un_list.version)) == ("un-xml", 4, 64)
    assert (eu_list.format, len(eu_list.entries)) == ("eu-xml", 2)
