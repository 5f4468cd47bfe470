import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchlists.normalize import name_key, normalize_name, sorted_tokens

CASES = [
    ("Noordzee Bulk Shipping B.V.", "noordzee bulk shipping", "bv"),
    ("NOORDZEE BULK SHIPPING BV", "noordzee bulk shipping", "bv"),
    ("Müller Spedition GmbH & Co. KG", "mueller spedition", "gmbh&co.kg"),
    ("Mueller Spedition GmbH und Co. KG", "mueller spedition", "gmbh&co.kg"),
    ("Obshchestvo s Ogranichennoi Otvetstvennostyu Dominik", "dominik", "ooo"),
    ("ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ Аквамарин", "akvamarin", "ooo"),
    ("Limited Liability Company Veresk", "veresk", "llc"),
    ("Rodríguez & Hernández S.L.", "rodriguez hernandez", "sl"),
    ("S.p.A. Genova Nav. Intl", "genova navigation international", "spa"),
    ("Int'l Shpg Co. Ltd", "international shipping", "co ltd"),
    ("Транспорт Логистик ООО", "transport logistik", "ooo"),
    ("Transportes Rapidos del Sur, S.L.", "transportes rapidos del sur", "sl"),
    ("OOO Sovfrakht", "sovfrakht", "ooo"),
    ("Gulf Star Shipping FZE", "gulf star shipping", "fze"),
]


@pytest.mark.parametrize("raw,core,legal", CASES)
def test_name_key_splits_core_and_legal_form(raw, core, legal):
    key = name_key(raw)
    assert key is not None
    assert (key.core, key.legal_form) == (core, legal)


@pytest.mark.parametrize("raw,core", [("M/V Marea Azul", "marea azul"), ("MV OCEAN STAR III", "ocean star 3"),
                                      ("MT Ocean Star 3", "ocean star 3")])
def test_vessel_prefix_and_numerals(raw, core):
    key = name_key(raw)
    assert key is not None and key.core == core and key.vessel_prefix


@pytest.mark.parametrize("raw", ["", "   ", "...", None])
def test_nothing_to_compare_is_none(raw):
    assert name_key(raw) is None
    assert normalize_name(raw) == ""


def test_a_lone_legal_form_is_kept_as_the_name():
    assert normalize_name("BV") == "bv"


@given(st.text(max_size=40))
def test_normalisation_is_idempotent(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(st.text(alphabet="abc xyz", max_size=30))
def test_sorted_tokens_ignores_order(text):
    assert sorted_tokens(" ".join(reversed(text.split()))) == sorted_tokens(text)
