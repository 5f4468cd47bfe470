"""What the ISO 20022 readers (pacs.008, pain.001, camt.053) share once a file is parsed.

The safe parse itself is `pacs008.parse_xml` (expat, DTDs and entities refused, tags without
namespaces); this module holds the element helpers the newer readers use on its tree: text at a
path, the first of several paths, an amount with its currency, a party with its account and
agent BIC, the remittance text, and the element serialised for a quarantine row.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NamedTuple

from schemas.records import Party
from transforms.feeds.common import parse_amount, parse_timestamp
from transforms.feeds.pacs008 import parse_xml

__all__ = ["Amount", "amount_at", "account_of", "agent_bic", "first", "named_party", "parse_xml",
           "remittance", "serialise", "text", "timestamp_at"]  # fmt: skip


class Amount(NamedTuple):
    """An amount element read: value and currency, or the problem that stops it."""

    value: float | None
    currency: str | None
    problem: str | None


def text(elem: ET.Element | None, path: str) -> str | None:
    """Whitespace-collapsed text at `path` below `elem`, or None when absent or blank."""
    if elem is None:
        return None
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def first(elem: ET.Element | None, *paths: str) -> str | None:
    """The text at the first of `paths` that has any."""
    return next((t for t in (text(elem, p) for p in paths) if t is not None), None)


def amount_at(elem: ET.Element | None, *paths: str) -> Amount:
    """The first non-blank amount element among `paths` (with its @Ccy), read as a number."""
    for path in paths:
        found = elem.find(path) if elem is not None else None
        if found is None or not (found.text or "").strip():
            continue
        currency = (found.get("Ccy") or "").strip().upper() or None
        try:
            return Amount(parse_amount(found.text or ""), currency, None)
        except ValueError:
            return Amount(None, currency, f"{path} not a number: {found.text!r}")
    return Amount(None, None, f"missing amount ({' or '.join(paths)})")


def timestamp_at(candidates: list[tuple[ET.Element | None, str]]) -> tuple[int | None, str | None]:
    """Epoch µs of the first date among (holder, path) candidates, or the problem with it.

    A path may hold a date directly (`ReqdExctnDt` in pain.001.001.03) or a `Dt`/`DtTm` child
    (newer versions, camt `BookgDt`); both are tried.
    """
    for holder, path in candidates:
        value = first(holder, f"{path}/Dt", f"{path}/DtTm", path)
        if value is None:
            continue
        try:
            return parse_timestamp(value), None
        except ValueError:
            return None, f"{path} not a date: {value!r}"
    return None, None


def account_of(holder: ET.Element | None, path: str) -> str | None:
    """An account's IBAN, else its other id (`Id/Othr/Id`), at `path` below `holder`."""
    return first(holder, f"{path}/Id/IBAN", f"{path}/Id/Othr/Id")


def agent_bic(holder: ET.Element | None, path: str) -> str | None:
    """An agent's BIC (`FinInstnId/BICFI`, or `BIC` before 2009 versions) at `path`."""
    return first(holder, f"{path}/FinInstnId/BICFI", f"{path}/FinInstnId/BIC")


def named_party(
    elem: ET.Element | None, role: str, account: str | None = None, bic: str | None = None
) -> Party | None:
    """A Party from a party element (`Nm`, `PstlAdr/Ctry`, `CtryOfRes`), None if nothing is known.

    camt.053 from version .07 wraps the party in `Pty` (an agent would sit in `Agt`); both
    shapes are read.
    """
    if elem is not None and elem.find("Pty") is not None:
        elem = elem.find("Pty")
    name = first(elem, "Nm")
    country = first(elem, "PstlAdr/Ctry", "CtryOfRes")
    if name is None and account is None and bic is None:
        return None
    return Party(role, name, account, bic, country.upper() if country else None)


def remittance(elem: ET.Element | None) -> str | None:
    """`RmtInf/Ustrd` lines and structured `AddtlRmtInf`, joined with spaces."""
    if elem is None:
        return None
    parts = [e.text for e in elem.iterfind("RmtInf/Ustrd")]
    parts += [e.text for e in elem.iterfind("RmtInf/Strd/AddtlRmtInf")]
    joined = " ".join(" ".join(p.split()) for p in parts if p and p.strip())
    return joined or None


def serialise(elem: ET.Element) -> str:
    """The element as XML text (namespace prefixes dropped), for a quarantine row."""
    tail, elem.tail = elem.tail, None
    try:
        return ET.tostring(elem, encoding="unicode")
    finally:
        elem.tail = tail
