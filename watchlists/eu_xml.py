"""Read the EU Financial Sanctions Files XML (`xmlFullSanctionsList_1_1`, plain, .gz or .bz2).

Each `sanctionEntity` is one entry, its id the entity's `logicalId`. Tags are matched by local
name, so the namespace (`http://eu.europa.ec/fpi/fsd/export`) and its version do not matter.

  entity_type  subjectType@code: person → person, enterprise → organization (vessel → vessel)
  name         the first `nameAlias` with strong="true" (wholeName, else first/middle/last)
  aliases      every other nameAlias; strong="false" → weak
  countries    countryIso2Code of citizenship, birthdate and address ("00" = unknown, left out)
  identifiers  identification@identificationTypeCode: imo → imo_company (imo for a vessel),
               swiftbic → bic, lei → lei, anything else → registration (personal_id for persons)
               with the type description as note; latinNumber is preferred over number
  programs     regulation@programme;  listed_on  designationDate

An entity without logicalId or any name, or a file without entities, raises `WatchlistError`: a
list is used whole or not at all. Two records with the same logicalId describe one entity and are
merged (the second one's names become aliases), as in the excerpt of the EU file in shared/data.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import normalize_bic, normalize_imo, normalize_lei
from watchlists.ofac_csv import tidy_aliases
from watchlists.safe_xml import children, iter_records, local

LIST_SOURCE = "eu_fsf"
SUBJECT_TYPES = {"person": "person", "enterprise": "organization", "vessel": "vessel"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _name(alias: ET.Element) -> str:
    whole = alias.get("wholeName") or " ".join(
        alias.get(part) or "" for part in ("firstName", "middleName", "lastName"))
    return " ".join(whole.split())


def _identifier(ident: ET.Element, entity_type: str) -> Identifier | None:
    number = " ".join((ident.get("latinNumber") or ident.get("number") or "").split())
    if not number:
        return None
    code = (ident.get("identificationTypeCode") or "").lower()
    if code == "imo":
        imo = normalize_imo(number) if entity_type == "vessel" else None
        if imo:
            return Identifier("imo", imo)
        digits = re.sub(r"\D", "", number)
        return Identifier("imo_company", digits) if len(digits) == 7 else None
    if code == "swiftbic" and normalize_bic(number):
        return Identifier("bic", normalize_bic(number) or "")
    if code == "lei" and normalize_lei(number):
        return Identifier("lei", normalize_lei(number) or "")
    kind = "personal_id" if entity_type == "person" else "registration"
    return Identifier(kind, number, ident.get("identificationTypeDescription") or code or None)


def eu_entry(path: str, entity: ET.Element) -> WatchlistEntry:
    """One sanctionEntity as a WatchlistEntry."""
    entry_id = entity.get("logicalId")
    subject = next(iter(children(entity, "subjectType")), None)
    code = (subject.get("code") or "").lower() if subject is not None else ""
    entity_type = SUBJECT_TYPES.get(code, "unknown")
    names = [(_name(a), a.get("strong", "true").lower() != "false") for a in children(entity, "nameAlias")]
    names = [(n, strong) for n, strong in names if n]
    primary = next((n for n, strong in names if strong), names[0][0] if names else None)
    if not entry_id or not primary:
        raise WatchlistError(path, f"sanctionEntity without logicalId or name "
                                   f"(euReferenceNumber {entity.get('euReferenceNumber')!r})")  # fmt: skip
    aliases = tidy_aliases(primary, [Alias(n, not strong) for n, strong in names if n != primary])
    countries = [e.get("countryIso2Code", "").upper() for tag in ("citizenship", "birthdate", "address")
                 for e in children(entity, tag)]  # fmt: skip
    identifiers = [_identifier(i, entity_type) for i in children(entity, "identification")]
    programs = [r.get("programme") or "" for r in children(entity, "regulation")]
    designated = entity.get("designationDate") or ""
    return WatchlistEntry(
        entry_id=entry_id,
        list_source=LIST_SOURCE,
        entity_type=entity_type,
        name=primary,
        aliases=aliases,
        countries=tuple(dict.fromkeys(c for c in countries if re.fullmatch(r"[A-Z]{2}", c) and c != "00")),
        identifiers=tuple(dict.fromkeys(i for i in identifiers if i is not None)),
        programs=tuple(dict.fromkeys(p for p in programs if p)),
        listed_on=designated[:10] if _DATE.match(designated) else None,
    )


def read_eu_xml(path: str) -> list[WatchlistEntry]:
    """All sanctionEntity records of an EU financial sanctions XML file, sorted by entry_id."""
    entries: dict[str, WatchlistEntry] = {}
    for kind, elem in iter_records(path, {"sanctionEntity"}, "EU financial sanctions XML"):
        if kind == "root":
            if local(elem.tag) != "export":
                raise WatchlistError(path, f"not an EU financial sanctions file: root element <{local(elem.tag)}>")
            continue
        entry = eu_entry(path, elem)
        entries[entry.entry_id] = merge(entries[entry.entry_id], entry) if entry.entry_id in entries else entry
    if not entries:
        raise WatchlistError(path, "no sanctionEntity records")
    return [entries[k] for k in sorted(entries)]


def merge(first: WatchlistEntry, second: WatchlistEntry) -> WatchlistEntry:
    """One entry from two records of the same entity: the first's name, everything else united."""
    def union(a: tuple, b: tuple) -> tuple:
        return tuple(dict.fromkeys(a + b))

    aliases = tidy_aliases(first.name, first.aliases + (Alias(second.name),) + second.aliases)
    dates = [d for d in (first.listed_on, second.listed_on) if d]
    return first._replace(aliases=aliases, countries=union(first.countries, second.countries),
                          identifiers=union(first.identifiers, second.identifiers),
                          programs=union(first.programs, second.programs), listed_on=min(dates) if dates else None)
