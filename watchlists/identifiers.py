"""Identifier normalisation and validation: IMO, crypto addresses, IBAN, BIC, LEI.

Each `normalize_*` returns the canonical form, or None when the text is not a valid
identifier of that kind, so that identifier matches are exact comparisons of canonical forms.
"""

from __future__ import annotations

import functools
import re
from typing import Iterator, Optional, Tuple

_IMO_IN_TEXT = re.compile(r"\bIMO(?:\s*(?:NO\.?|NUMBER|NR\.?|#)?)?[\s:.#-]*(\d{7})\b", re.IGNORECASE)
_SEVEN_DIGITS = re.compile(r"^\d{7}$")


def imo_check_ok(digits: str) -> bool:
    """IMO ship numbers carry a check digit: sum of the first six digits × (7..2), mod 10."""
    if not _SEVEN_DIGITS.match(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1)))
    return total % 10 == int(digits[6])


def normalize_imo(text: Optional[str]) -> Optional[str]:
    """'IMO 9187629', 'IMO9187629', '9187629' → '9187629'; None if no valid IMO number."""
    if not text:
        return None
    digits = re.sub(r"(?i)^\s*imo[\s:.#-]*", "", text.strip()).replace(" ", "")
    if digits.endswith(".0"):
        digits = digits[:-2]
    return digits if imo_check_ok(digits) else None


def find_imos(text: Optional[str]) -> Iterator[str]:
    """Valid IMO numbers written as 'IMO 1234567' (any spacing/punctuation) in free text."""
    if not text:
        return
    seen = set()
    for m in _IMO_IN_TEXT.finditer(text):
        digits = m.group(1)
        if digits not in seen and imo_check_ok(digits):
            seen.add(digits)
            yield digits


# --- crypto addresses -----------------------------------------------------------------------

_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BECH32 = re.compile(r"^(bc|tb|ltc|tltc|bcrt)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{25,44}$")
_TRON = re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$")
_XMR = re.compile(r"^[48][1-9A-HJ-NP-Za-km-z]{94}$")
_CRYPTO_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])("
    r"0x[0-9a-fA-F]{40}"
    r"|(?:bc|ltc|tb)1[02-9ac-hj-np-zA-HJ-NP-Z]{11,87}"
    r"|[13][1-9A-HJ-NP-Za-km-z]{25,34}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33}"
    r"|[48][1-9A-HJ-NP-Za-km-z]{94}"
    r")(?![0-9A-Za-z])"
)


def crypto_chain(address: str) -> Optional[str]:
    """A coarse chain family for an address: evm, bech32, tron, monero, base58; None if unknown."""
    if _EVM.match(address):
        return "evm"
    if _BECH32.match(address):
        return "bech32"
    if _TRON.match(address):
        return "tron"
    if _XMR.match(address):
        return "monero"
    if _BASE58.match(address):
        return "base58"
    return None


def normalize_crypto_address(address: Optional[str]) -> Optional[str]:
    """EVM hex and bech32 compare case-insensitively (lower-cased); base58 stays exact."""
    if not address:
        return None
    a = address.strip()
    if not a:
        return None
    chain = crypto_chain(a)
    if chain in ("evm", "bech32"):
        return a.lower()
    return a


def find_crypto_addresses(text: Optional[str]) -> Iterator[str]:
    """Crypto addresses written in free text, normalised."""
    if not text:
        return
    seen = set()
    for m in _CRYPTO_IN_TEXT.finditer(text):
        value = normalize_crypto_address(m.group(1))
        if value and value not in seen:
            seen.add(value)
            yield value


# --- bank identifiers -----------------------------------------------------------------------

_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


_LETTER_DIGITS = {ord(ch): str(ord(ch) - ord("A") + 10) for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}  # A=10 … Z=35


def iban_check_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check on a compact upper-case IBAN."""
    if not _IBAN.match(iban):
        return False
    return int((iban[4:] + iban[:4]).translate(_LETTER_DIGITS)) % 97 == 1


def normalize_iban(text: Optional[str]) -> Optional[str]:
    """'NL91 ABNA 0417 1643 00' → 'NL91ABNA0417164300'; None unless the checksum holds."""
    if not text:
        return None
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact if iban_check_ok(compact) else None


def normalize_bic(text: Optional[str]) -> Optional[str]:
    """Upper-case 8 or 11 character BIC; 'XXX' branch dropped so BIC8 and BIC11 compare equal."""
    if not text:
        return None
    compact = re.sub(r"\s", "", text).upper()
    if not _BIC.match(compact):
        return None
    return compact[:8] if len(compact) == 11 and compact.endswith("XXX") else compact


def lei_check_ok(lei: str) -> bool:
    """ISO 17442: 20 alphanumerics, mod-97 == 1 (as for IBAN)."""
    if not re.match(r"^[A-Z0-9]{18}\d{2}$", lei):
        return False
    return int(lei.translate(_LETTER_DIGITS)) % 97 == 1


def normalize_lei(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    compact = re.sub(r"\s", "", text).upper()
    return compact if lei_check_ok(compact) else None


@functools.lru_cache(maxsize=1 << 16)  # the same accounts recur across a day's transactions
def party_identifiers(
    account: Optional[str], bic: Optional[str], crypto_address: Optional[str]
) -> Tuple[Tuple[str, str], ...]:
    """The (kind, canonical value) identifiers a party carries, for exact lookups."""
    out = []
    iban = normalize_iban(account)
    if iban:
        out.append(("iban", iban))
    b = normalize_bic(bic)
    if b:
        out.append(("bic", b))
    c = normalize_crypto_address(crypto_address)
    if c:
        out.append(("crypto_address", c))
    return tuple(out)
