"""The reporting countries and their financial intelligence units."""

from __future__ import annotations

import re

FIUS: dict[str, str] = {
    "BE": "CTIF-CFI",
    "DE": "FIU",
    "FR": "TRACFIN",
    "IT": "UIF",
    "ES": "SEPBLAC",
    "NL": "FIU-NL",
}
DEFAULT_COUNTRIES = tuple(FIUS)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def is_country_code(text: str) -> bool:
    """An ISO 3166-1 alpha-2 shaped code (two upper-case letters), safe as a folder name."""
    return bool(_COUNTRY.match(text))


def fiu_for(country: str, fius: dict[str, str] | None = None) -> str:
    """The FIU of a country (configured ones first), or 'FIU-<CC>' for one not configured."""
    return (fius or FIUS).get(country, f"FIU-{country}")
