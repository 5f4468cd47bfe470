import pytest

from watchlists.identifiers import (
    find_crypto_addresses,
    find_imos,
    iban_check_ok,
    imo_check_ok,
    normalize_bic,
    normalize_crypto_address,
    normalize_iban,
    normalize_imo,
    normalize_lei,
)


@pytest.mark.parametrize("text,want", [
    ("IMO 9187629", "9187629"), ("IMO9187629", "9187629"), ("9187629", "9187629"), ("imo: 9187629", "9187629"),
    ("IMO 9187628", None), ("918762", None), ("", None), (None, None),
])  # fmt: skip
def test_normalize_imo_checks_the_check_digit(text, want):
    assert normalize_imo(text) == want


def test_imo_check_digit():
    assert imo_check_ok("9074729") and not imo_check_ok("9074728")


@pytest.mark.parametrize("text,want", [
    ("freight MV Marea Azul IMO 9187629", ["9187629"]),
    ("IMO9187629 / IMO: 9074729", ["9187629", "9074729"]),
    ("invoice 9187629 no prefix", []),
    ("IMO 9187628 wrong check digit", []),
])  # fmt: skip
def test_find_imos_in_text(text, want):
    assert list(find_imos(text)) == want


@pytest.mark.parametrize("raw,want", [
    ("0x8589427373D6D84E98730D7795D8F6F8731FDA16", "0x8589427373d6d84e98730d7795d8f6f8731fda16"),
    ("BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
    ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
    ("TXmVpin5vq5gdZsciyyjdZgKRUju4st1wM", "TXmVpin5vq5gdZsciyyjdZgKRUju4st1wM"),
    ("  ", None),
])  # fmt: skip
def test_crypto_addresses_normalise_per_chain(raw, want):
    assert normalize_crypto_address(raw) == want


def test_find_crypto_addresses_in_text():
    text = "pay 0x8589427373D6D84E98730D7795D8F6F8731FDA16 and bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
    assert list(find_crypto_addresses(text)) == [
        "0x8589427373d6d84e98730d7795d8f6f8731fda16", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"]


def test_iban_bic_lei():
    assert normalize_iban("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"
    assert not iban_check_ok("NL92ABNA0417164300")
    assert normalize_bic("abnanl2axxx") == "ABNANL2A"
    assert normalize_bic("ABNANL2A") == "ABNANL2A"
    assert normalize_bic("ABN") is None
    assert normalize_lei("5493001KJTIIGC8Y1R12") == "5493001KJTIIGC8Y1R12"
    assert normalize_lei("5493001KJTIIGC8Y1R13") is None
