"""Read the OFAC SDN *advanced* XML (`sdn_advanced.xml`, plain, `.bz2` or `.gz`).

The file is streamed (`XMLPullParser`, records cleared once read) and matched on local names,
so any namespace version works. Reference tables (party types, feature types, document types,
countries) come first in the file; locations and identity documents are separate sections keyed
by id; sanctions entries (programs, listing date) come last. Parties are therefore collected
lightly and assembled once the whole file has been read.

Identifiers: ship IMO numbers (check digit verified, kind `imo`), IMO *company* numbers of
owners and managers (kind `imo_company`: a different number space without the ship check
digit), MMSI, LEI (document type "Legal Entity Number" when the ISO 17442 checksum holds),
SWIFT/BIC, crypto addresses (`Digital Currency Address - XBT` → note "XBT"); any other
document becomes kind `registration` (or `personal_id` for individuals) with the document type
as note. Document "Validity" flags are ignored: in the 2025 file they do not agree with OFAC's
own remarks. Countries are ISO2 codes of all location features (addresses, nationality,
citizenship, place of birth, registration); `vessel_flag` is ISO2 when the free-text flag
names a known country, else the text as given.

Safety: a DOCTYPE or ENTITY declaration in the first 16 KB is refused (so no entity can be
expanded), as is a file whose root element does not start there; truncated or malformed XML,
a corrupt archive, or an extension that does not match the compression raise `WatchlistError`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple, cast

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import (
    normalize_bic,
    normalize_crypto_address,
    normalize_imo,
    normalize_lei,
)
from watchlists.ofac_csv import country_code, tidy_aliases

LIST_SOURCE = "ofac_sdn"
_CHUNK = 16 * 1024  # small feeds keep expat and the event list in cache: 1 MB is 2× slower
_HEAD = 16 * 1024
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_CRYPTO_FEATURE = "Digital Currency Address - "
_NO_FLAG = {"unknown", "none identified", "none", ""}
_ENTITY_TYPES = {"vessel": "vessel", "aircraft": "aircraft", "entity": "organization",
                 "individual": "person"}


class _RawParty(NamedTuple):
    entry_id: str
    subtype_id: str | None
    names: list[tuple[str, bool, bool]]  # (name, is the primary Latin name, weak)
    features: list[tuple[str, str | None, list[str]]]  # (type id, text, location ids)
    identity_ids: list[str]
    profile_ids: list[str]


class _State:
    """Everything read so far: reference tables, side sections and the raw parties."""

    def __init__(self) -> None:
        self.refs: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
        self.location_country: dict[str, str] = {}
        self.documents: dict[str, list[tuple[str, str]]] = {}  # identity id → (type id, no.)
        self.parties: list[_RawParty] = []
        self.programs: dict[str, list[str]] = {}
        self.listed_on: dict[str, str] = {}
        self.country_names: dict[str, str] | None = None  # built on first use
        self.primary_status: set[str] = set()  # DocNameStatus ids of "Primary Latin"

    def ref(self, table: str, ref_id: str | None) -> str:
        """The text of a reference value (e.g. table "FeatureType"), '' when unknown."""
        return self.refs.get(table, {}).get(ref_id or "", ("", {}))[0]


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


def _children(elem: ET.Element, name: str) -> Iterable[ET.Element]:
    return (child for child in elem if _local(child.tag) == name)


def _first_text(elem: ET.Element, name: str) -> str | None:
    for sub in elem.iter():
        if _local(sub.tag) == name and sub.text and sub.text.strip():
            return sub.text.strip()
    return None


def _open(path: str) -> io.BufferedIOBase:
    """Open by magic bytes; an extension that promises compression must match them."""
    with open(path, "rb") as raw:
        magic = raw.read(3)
    kind = "bz2" if magic == b"BZh" else "gz" if magic[:2] == b"\x1f\x8b" else "plain"
    claimed = next((ext for ext in ("bz2", "gz") if path.lower().endswith("." + ext)), None)
    if claimed and claimed != kind:
        raise WatchlistError(path, f"named .{claimed} but the content is {kind}")
    if kind == "bz2":
        return bz2.BZ2File(path)
    return gzip.GzipFile(path) if kind == "gz" else open(path, "rb")


def _check_prolog(path: str, head: bytes) -> None:
    """Refuse DTDs (no entity expansion) and anything whose root does not start early."""
    upper = head.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise WatchlistError(path, "DOCTYPE/ENTITY declarations are refused")
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while (m := _PROLOG_ITEM.match(head, pos)) and m.end() > pos:
        pos = m.end()
    if not re.match(rb"<[A-Za-z_]", head[pos : pos + 2]):
        raise WatchlistError(path, "not an XML document (no root element at the start)")


def _parse(path: str, stream: io.BufferedIOBase) -> _State:
    state = _State()
    handlers = {"ReferenceValueSets": _read_refs, "Location": _read_location,
                "IDRegDocument": _read_document, "DistinctParty": _read_party,
                "SanctionsEntry": _read_sanctions_entry,
                "ProfileRelationship": lambda _state, _elem: None}
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("end",))
    chunk = stream.read(_HEAD)
    _check_prolog(path, chunk)
    while chunk:
        parser.feed(chunk)
        for _event, elem in cast("Iterator[tuple[str, ET.Element]]", parser.read_events()):
            handler = handlers.get(_local(elem.tag))
            if handler is not None:
                handler(state, elem)
                elem.clear()
        chunk = stream.read(_CHUNK)
    parser.close()
    return state


def _read_refs(state: _State, elem: ET.Element) -> None:
    for table in elem:
        for value in table:
            values = state.refs.setdefault(_local(value.tag), {})
            values[value.get("ID", "")] = ((value.text or "").strip(), dict(value.attrib))
    state.primary_status = {key for key, (text, _) in state.refs.get("DocNameStatus", {}).items()
                            if text == "Primary Latin"}


def _read_location(state: _State, elem: ET.Element) -> None:
    """ISO2 of a location: its country, else its area code, else a country named as text
    (nationality locations carry only a name such as "Belarus")."""
    codes: dict[str, str] = {}
    for sub in elem:
        name = _local(sub.tag)
        if name == "LocationCountry":
            codes[name] = state.refs.get("Country", {}).get(
                sub.get("CountryID", ""), ("", {}))[1].get("ISO2", "")
        elif name == "LocationAreaCode":
            codes[name] = state.ref("AreaCode", sub.get("AreaCodeID"))
        elif name == "LocationPart" and "text" not in codes:
            codes["text"] = _country_code(state, _first_text(sub, "Value") or "") or ""
    code = codes.get("LocationCountry") or codes.get("LocationAreaCode") or codes.get("text")
    if code and len(code) == 2 and code.isalpha():
        state.location_country[elem.get("ID", "")] = code.upper()


def _read_document(state: _State, elem: ET.Element) -> None:
    number = _first_text(elem, "IDRegistrationNo")
    if number:
        docs = state.documents.setdefault(elem.get("IdentityID", ""), [])
        docs.append((elem.get("IDRegDocTypeID", ""), number))


def _read_party(state: _State, elem: ET.Element) -> None:
    primary_status = state.primary_status
    raw = _RawParty(elem.get("FixedRef", ""), None, [], [], [], [])
    for profile in _children(elem, "Profile"):
        raw = raw._replace(subtype_id=raw.subtype_id or profile.get("PartySubTypeID"))
        raw.profile_ids.append(profile.get("ID", ""))
        for identity in _children(profile, "Identity"):
            raw.identity_ids.append(identity.get("ID", ""))
            for alias in _children(identity, "Alias"):
                primary = alias.get("Primary") == "true"
                weak = alias.get("LowQuality") == "true"
                for doc_name in _children(alias, "DocumentedName"):
                    parts = [v.text.strip() for v in doc_name.iter()
                             if _local(v.tag) == "NamePartValue" and v.text and v.text.strip()]
                    is_primary = primary and doc_name.get("DocNameStatusID") in primary_status
                    raw.names.append((" ".join(parts), is_primary, weak))
        for feature in _children(profile, "Feature"):
            for version in _children(feature, "FeatureVersion"):
                text, locations = None, []
                for sub in version:
                    name = _local(sub.tag)
                    if name == "VersionDetail":
                        text = (sub.text or "").strip() or state.ref(
                            "DetailReference", sub.get("DetailReferenceID")) or None
                    elif name == "VersionLocation":
                        locations.append(sub.get("LocationID", ""))
                raw.features.append((feature.get("FeatureTypeID", ""), text, locations))
    state.parties.append(raw)


def _read_sanctions_entry(state: _State, elem: ET.Element) -> None:
    profile = elem.get("ProfileID", "")
    for sub in elem:
        name = _local(sub.tag)
        measure = state.ref("SanctionsType", sub.get("SanctionsTypeID"))
        if name == "SanctionsMeasure" and measure == "Program":
            program = _first_text(sub, "Comment")
            if program and program not in state.programs.setdefault(profile, []):
                state.programs[profile].append(program)
        elif name == "EntryEvent":
            y, m, d = (_first_text(sub, part) for part in ("Year", "Month", "Day"))
            if y and m and d:
                date = f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
                state.listed_on[profile] = min(date, state.listed_on.get(profile, date))


def _entity_type(state: _State, subtype_id: str | None) -> str:
    name, attrib = state.refs.get("PartySubType", {}).get(subtype_id or "", ("", {}))
    if name.lower() not in _ENTITY_TYPES:
        name = state.ref("PartyType", attrib.get("PartyTypeID"))
    return _ENTITY_TYPES.get(name.lower(), "unknown")


def _document_identifier(doc_type: str, number: str, entity_type: str) -> Identifier:
    imo_text = (number.upper().startswith("IMO")
                or doc_type == "Vessel Registration Identification")
    if imo_text and entity_type == "vessel":
        imo = normalize_imo(number)
        if imo:
            return Identifier("imo", imo)
    elif imo_text and re.fullmatch(r"IMO\s*\d{7}", number.strip(), re.IGNORECASE):
        return Identifier("imo_company", re.sub(r"\D", "", number))
    if doc_type == "MMSI" and re.fullmatch(r"\d{9}", number.strip()):
        return Identifier("mmsi", number.strip())
    lei = normalize_lei(number) if doc_type == "Legal Entity Number" else None
    if lei:
        return Identifier("lei", lei)
    kind = "personal_id" if entity_type == "person" else "registration"
    return Identifier(kind, " ".join(number.split()), doc_type or None)


def _feature_identifier(feature_type: str, text: str) -> Identifier | None:
    if feature_type.startswith(_CRYPTO_FEATURE):
        address = normalize_crypto_address(text)
        currency = feature_type[len(_CRYPTO_FEATURE) :].strip()
        return Identifier("crypto_address", address, currency or None) if address else None
    if feature_type == "SWIFT/BIC":
        bic = normalize_bic(text)
        return Identifier("bic", bic) if bic else None
    return None


def _country_code(state: _State, text: str) -> str | None:
    """ISO2 for a country name: the file's own country table first, then OFAC's spellings."""
    if state.country_names is None:
        state.country_names = {name.casefold(): attrib["ISO2"] for name, attrib
                               in state.refs.get("Country", {}).values() if attrib.get("ISO2")}
    return state.country_names.get(text.strip().casefold()) or country_code(text)


def _flag_code(state: _State, text: str) -> str | None:
    """Vessel flags are free text: ISO2 when it names a known country, else the text."""
    if text.strip().lower() in _NO_FLAG:
        return None
    return _country_code(state, text) or text.strip()


def _assemble(path: str, state: _State, raw: _RawParty) -> WatchlistEntry:
    entity_type = _entity_type(state, raw.subtype_id)
    primary = next((n for n, is_primary, _ in raw.names if is_primary and n), None)
    if primary is None:
        raise WatchlistError(path, f"DistinctParty {raw.entry_id} has no primary name")
    identifiers: list[Identifier] = []
    countries: list[str] = []
    flag: str | None = None
    for type_id, text, locations in raw.features:
        feature_type = state.ref("FeatureType", type_id)
        countries += [state.location_country[loc] for loc in locations
                      if loc in state.location_country]
        ident = _feature_identifier(feature_type, text) if text else None
        if ident:
            identifiers.append(ident)
        elif feature_type == "Vessel Flag" and text and flag is None:
            flag = _flag_code(state, text)
    for identity_id in raw.identity_ids:
        for type_id, number in state.documents.get(identity_id, []):
            doc_type = state.ref("IDRegDocType", type_id)
            identifiers.append(_document_identifier(doc_type, number, entity_type))
    name = " ".join(primary.split())
    aliases = [Alias(n, weak) for n, is_primary, weak in raw.names if not is_primary]
    programs = [p for profile in raw.profile_ids for p in state.programs.get(profile, ())]
    dates = [state.listed_on[p] for p in raw.profile_ids if p in state.listed_on]
    return WatchlistEntry(
        entry_id=raw.entry_id, list_source=LIST_SOURCE, entity_type=entity_type, name=name,
        aliases=tidy_aliases(name, aliases),
        countries=tuple(dict.fromkeys(countries)), identifiers=tuple(dict.fromkeys(identifiers)),
        vessel_flag=flag, programs=tuple(dict.fromkeys(programs)),
        listed_on=min(dates) if dates else None,
    )


def read_ofac_xml(path: str) -> list[WatchlistEntry]:
    """All DistinctParty records of an OFAC SDN advanced XML file, sorted by entry_id."""
    try:
        with _open(path) as stream:
            state = _parse(path, stream)
    except WatchlistError:
        raise
    except (ET.ParseError, EOFError, OSError, zlib.error, ValueError) as exc:
        raise WatchlistError(path, f"cannot parse OFAC advanced XML: {exc}") from exc
    if not state.refs:
        raise WatchlistError(path, "no ReferenceValueSets: not an OFAC advanced XML file")
    if not state.parties:
        raise WatchlistError(path, "no DistinctParty records")
    entries = [_assemble(path, state, raw) for raw in state.parties]
    ids = [e.entry_id for e in entries]
    if "" in ids or len(set(ids)) != len(ids):
        raise WatchlistError(path, "DistinctParty FixedRef missing or duplicated")
    return sorted(entries, key=lambda e: e.entry_id)
