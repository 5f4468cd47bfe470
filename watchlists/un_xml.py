"""Read the UN Security Council Consolidated List XML (`consolidated.xml`, plain, .gz or .bz2).

`INDIVIDUAL` records become persons and `ENTITY` records organizations (the UN list names no
vessels or aircraft as such; ship owners and managers are entities whose comments give their IMO
company number). The entry id is the UN reference number (`CDi.001`, `KPe.049`), else `DATAID`.

  name         FIRST_NAME … FOURTH_NAME joined (entities: FIRST_NAME)
  aliases      `*_ALIAS/ALIAS_NAME`: QUALITY "Low" → weak; "Good", "a.k.a.", "f.k.a." → strong;
               `NAME_ORIGINAL_SCRIPT` → strong (transliterated by the matcher's normalisation)
  countries    ISO2 of NATIONALITY values and address / birth-place countries (UN spellings such
               as "Iran (Islamic Republic of)" included); unknown names are left out
  identifiers  `INDIVIDUAL_DOCUMENT` (TYPE_OF_DOCUMENT + NUMBER → personal_id with the type as
               note); "IMO number: 1234567" in an entity's comments → imo_company
  programs     UN_LIST_TYPE;  listed_on  LISTED_ON

A record without a name, a missing or duplicated reference, or a file with no records raises
`WatchlistError`: a list is used whole or not at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.ofac_csv import country_code, tidy_aliases
from watchlists.safe_xml import child_text, children, iter_records, local

LIST_SOURCE = "un_sc"
RECORDS = {"INDIVIDUAL": "person", "ENTITY": "organization"}
WEAK_QUALITIES = {"low"}
_IMO_IN_COMMENT = re.compile(r"\bIMO\)?(?:\s+(?:company\s+)?(?:number|no\.?))?\s*:?\s*(\d{7})\b", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# UN spellings that OFAC's table (country_code) does not know, as ISO2.
UN_COUNTRY_NAMES = {
    "democratic republic of the congo": "CD", "congo": "CG", "iran (islamic republic of)": "IR",
    "democratic people's republic of korea": "KP", "republic of korea": "KR", "russian federation": "RU",
    "syrian arab republic": "SY", "united republic of tanzania": "TZ", "viet nam": "VN",
    "bolivia (plurinational state of)": "BO", "venezuela (bolivarian republic of)": "VE",
    "united kingdom of great britain and northern ireland": "GB", "united states of america": "US",
    "lao people's democratic republic": "LA", "republic of moldova": "MD", "türkiye": "TR",
    "state of palestine": "PS", "côte d'ivoire": "CI", "myanmar": "MM",
    "china, hong kong special administrative region": "HK",
}  # fmt: skip


def un_country(name: str | None) -> str | None:
    """ISO2 for a country as the UN writes it, None when unknown."""
    if not name:
        return None
    key = " ".join(name.replace("’", "'").split()).lower()
    return UN_COUNTRY_NAMES.get(key) or country_code(name) or country_code(re.sub(r"\s*\(.*\)", "", name))


def _countries(record: ET.Element) -> tuple[str, ...]:
    names = [v.text for n in children(record, "NATIONALITY") for v in children(n, "VALUE")]
    for tag in ("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS", "INDIVIDUAL_PLACE_OF_BIRTH"):
        names += [child_text(place, "COUNTRY") for place in children(record, tag)]
    codes = (un_country(n) for n in names)
    return tuple(dict.fromkeys(c for c in codes if c))


def _aliases(record: ET.Element, name: str) -> tuple[Alias, ...]:
    aliases = []
    for tag in ("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
        for alias in children(record, tag):
            alias_name = child_text(alias, "ALIAS_NAME")
            if alias_name:
                quality = (child_text(alias, "QUALITY") or "").lower()
                aliases.append(Alias(alias_name, quality in WEAK_QUALITIES))
    original = child_text(record, "NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(Alias(original))
    return tidy_aliases(name, aliases)


def _identifiers(record: ET.Element, entity_type: str) -> tuple[Identifier, ...]:
    out = []
    for doc in children(record, "INDIVIDUAL_DOCUMENT"):
        number = child_text(doc, "NUMBER")
        if number:
            out.append(Identifier("personal_id", number, child_text(doc, "TYPE_OF_DOCUMENT")))
    if entity_type == "organization":
        comments = " ".join(child_text(record, f"COMMENTS{i}") or "" for i in ("", "1"))
        out += [Identifier("imo_company", m) for m in _IMO_IN_COMMENT.findall(comments)]
    return tuple(dict.fromkeys(out))


def un_entry(path: str, record: ET.Element) -> WatchlistEntry:
    """One INDIVIDUAL or ENTITY record as a WatchlistEntry."""
    entity_type = RECORDS[local(record.tag)]
    entry_id = child_text(record, "REFERENCE_NUMBER") or child_text(record, "DATAID")
    parts = [child_text(record, f"{n}_NAME") for n in ("FIRST", "SECOND", "THIRD", "FOURTH")]
    name = " ".join(p for p in parts if p)
    if not entry_id or not name:
        raise WatchlistError(path, f"UN {local(record.tag)} without reference number or name "
                                   f"(DATAID {child_text(record, 'DATAID')!r})")  # fmt: skip
    listed_on = child_text(record, "LISTED_ON")
    program = child_text(record, "UN_LIST_TYPE")
    return WatchlistEntry(
        entry_id=entry_id,
        list_source=LIST_SOURCE,
        entity_type=entity_type,
        name=name,
        aliases=_aliases(record, name),
        countries=_countries(record),
        identifiers=_identifiers(record, entity_type),
        programs=(program,) if program else (),
        listed_on=listed_on[:10] if listed_on and _DATE.match(listed_on) else None,
    )


def read_un_xml(path: str) -> list[WatchlistEntry]:
    """All INDIVIDUAL and ENTITY records of a UN consolidated list file, sorted by entry_id."""
    entries: dict[str, WatchlistEntry] = {}
    root_tag = None
    for kind, elem in iter_records(path, set(RECORDS), "UN consolidated XML"):
        if kind == "root":
            root_tag = local(elem.tag)
            if root_tag != "CONSOLIDATED_LIST":
                raise WatchlistError(path, f"not a UN consolidated list: root element <{root_tag}>")
            continue
        entry = un_entry(path, elem)
        if entry.entry_id in entries:
            raise WatchlistError(path, f"UN reference number {entry.entry_id!r} is duplicated")
        entries[entry.entry_id] = entry
    if not entries:
        raise WatchlistError(path, "no INDIVIDUAL or ENTITY records")
    return [entries[k] for k in sorted(entries)]
