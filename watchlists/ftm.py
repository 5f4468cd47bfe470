"""Read FollowTheMoney entities (JSON lines, as OpenSanctions exports `entities.ftm.json`).

Only the schemata that can be a transaction party are kept (SCHEMATA); Sanction, Address,
Ownership and the other link and detail entities are skipped. When the file marks targets (the
OpenSanctions `target` flag), only targets are kept: their owners, relatives and addresses are in
the export for context, not because they are listed. Fragments with the same id are merged.

  name         the entity's `caption` (else its first `name`)
  aliases      the other `name`s, `alias`, `previousName` (strong); `weakAlias`, `abbreviation`
               (weak). A CryptoWallet's names are labels (a ransomware family), so they are weak.
  identifiers  imoNumber (a Vessel's → imo when the check digit holds, else imo_company), mmsi,
               leiCode, swiftBic, publicKey (CryptoWallet → crypto_address, note = currency),
               registration-like numbers → registration / personal_id with the property as note
  countries    country, nationality, citizenship, jurisdiction, mainCountry (ISO2);
               vessel_flag = flag
  programs     programId;  listed_on  the earliest createdAt, else first_seen

list_source is "opensanctions" for entities carrying `datasets`, else "ftm". A line that is not a
JSON object, an entity without id or any name, or a file without kept entities raises
`WatchlistError`. `classify_identifier` also serves `opensanctions-csv:`, whose identifiers come
untyped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import crypto_chain, normalize_bic, normalize_crypto_address, normalize_imo, normalize_lei
from watchlists.ofac_csv import tidy_aliases

SCHEMATA = {"Person": "person", "Company": "organization", "Organization": "organization",
            "LegalEntity": "organization", "PublicBody": "organization", "Vessel": "vessel",
            "Airplane": "aircraft", "CryptoWallet": "unknown"}  # fmt: skip
STRONG_NAMES = ("name", "alias", "previousName")
WEAK_NAMES = ("weakAlias", "abbreviation")
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
REGISTRATION_PROPS = ("registrationNumber", "innCode", "ogrnCode", "kppCode", "okpoCode", "taxNumber", "vatCode",
                      "idNumber", "passportNumber", "uniqueEntityId", "permId")  # fmt: skip
_ISO2 = re.compile(r"^[a-zA-Z]{2}$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def classify_identifier(value: str, schema: str, note: str | None = None) -> Identifier | None:
    """An identifier given as text (typed by `note` when known) → its kind and canonical form."""
    value = " ".join(value.split())
    if not value:
        return None
    entity_type = SCHEMATA.get(schema, "unknown")
    if schema == "CryptoWallet" or note == "publicKey":
        address = normalize_crypto_address(value)
        return Identifier("crypto_address", address, crypto_chain(address)) if address else None
    imo_text = re.fullmatch(r"(?i)IMO\s*(\d{7})", value)
    if note == "imoNumber" or imo_text:
        digits = imo_text.group(1) if imo_text else re.sub(r"\D", "", value)
        imo = normalize_imo(digits) if entity_type == "vessel" else None
        return Identifier("imo", imo) if imo else Identifier("imo_company", digits) if len(digits) == 7 else None
    if note == "mmsi" or (note is None and entity_type == "vessel" and re.fullmatch(r"\d{9}", value)):
        return Identifier("mmsi", value) if re.fullmatch(r"\d{9}", value) else None
    if note in (None, "leiCode") and normalize_lei(value):
        return Identifier("lei", normalize_lei(value) or "")
    if note == "swiftBic" or (note is None and entity_type == "organization" and _BIC_SHAPE.match(value)):
        bic = normalize_bic(value)
        return Identifier("bic", bic) if bic else None
    if note is None and crypto_chain(value) in ("evm", "bech32", "tron"):
        return Identifier("crypto_address", normalize_crypto_address(value) or value, crypto_chain(value))
    return Identifier("personal_id" if entity_type == "person" else "registration", value, note)


def _values(props: dict[str, Any], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        raw = props.get(name) or []
        out += [" ".join(str(v).split()) for v in (raw if isinstance(raw, list) else [raw]) if str(v).strip()]
    return out


def ftm_entry(path: str, entity: dict[str, Any]) -> WatchlistEntry:
    """One FtM entity (schema in SCHEMATA) as a WatchlistEntry."""
    schema, props = entity["schema"], entity.get("properties") or {}
    names = _values(props, "name")
    caption = " ".join(str(entity.get("caption") or "").split())
    keys = _values(props, "publicKey")
    primary = caption or (names[0] if names else None) or (keys[0] if schema == "CryptoWallet" and keys else None)
    if not entity.get("id") or not primary:
        raise WatchlistError(path, f"FtM {schema} entity without id or name: {entity.get('id')!r}")
    label_weak = schema == "CryptoWallet"
    aliases = [Alias(n, label_weak) for n in _values(props, *STRONG_NAMES)]
    aliases += [Alias(n, True) for n in _values(props, *WEAK_NAMES)]
    identifiers = [classify_identifier(v, schema, prop) for prop in ("imoNumber", "mmsi", "leiCode", "swiftBic")
                   + REGISTRATION_PROPS for v in _values(props, prop)]  # fmt: skip
    currency = next(iter(_values(props, "currency")), None)
    for key in keys:
        address = normalize_crypto_address(key)
        if address:
            identifiers.append(Identifier("crypto_address", address, currency or crypto_chain(address)))
    countries = [c.upper() for c in _values(props, *COUNTRY_PROPS) if _ISO2.match(c)]
    flags = [f.upper() if _ISO2.match(f) else f for f in _values(props, "flag")]
    dates = sorted(d[:10] for d in _values(props, "createdAt") if re.match(r"\d{4}-\d{2}-\d{2}", d))
    first_seen = str(entity.get("first_seen") or "")[:10]
    return WatchlistEntry(
        entry_id=str(entity["id"]),
        list_source="opensanctions" if "datasets" in entity else "ftm",
        entity_type=SCHEMATA[schema],
        name=primary,
        aliases=tidy_aliases(primary, aliases),
        countries=tuple(dict.fromkeys(countries)),
        identifiers=tuple(dict.fromkeys(i for i in identifiers if i is not None)),
        vessel_flag=flags[0] if flags else None,
        programs=tuple(dict.fromkeys(_values(props, "programId"))),
        listed_on=dates[0] if dates else (first_seen if re.match(r"\d{4}-\d{2}-\d{2}$", first_seen) else None),
    )


def _merge(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    props = {k: list(v) for k, v in (first.get("properties") or {}).items()}
    for key, values in (second.get("properties") or {}).items():
        props[key] = list(dict.fromkeys(props.get(key, []) + list(values)))
    return {**second, **first, "properties": props, "target": bool(first.get("target") or second.get("target"))}


def parse_entities(path: str, lines: Iterable[str]) -> list[WatchlistEntry]:
    """Entries from FtM JSON lines (`path` only names the file in errors)."""
    entities: dict[str, dict[str, Any]] = {}
    marks_targets = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except ValueError as exc:
            raise WatchlistError(path, f"line {number}: not JSON: {exc}") from None
        if not isinstance(entity, dict) or not isinstance(entity.get("schema"), str):
            raise WatchlistError(path, f"line {number}: not an FtM entity (object with a schema)")
        marks_targets = marks_targets or "target" in entity
        if entity["schema"] not in SCHEMATA:
            continue
        key = str(entity.get("id") or f"line {number}")
        entities[key] = _merge(entities[key], entity) if key in entities else entity
    kept = [e for e in entities.values() if e.get("target") or not marks_targets]
    if not kept:
        raise WatchlistError(path, f"no {'target ' if marks_targets else ''}entities of schemata {', '.join(SCHEMATA)}")
    return sorted((ftm_entry(path, e) for e in kept), key=lambda e: e.entry_id)


def read_ftm(path: str) -> list[WatchlistEntry]:
    """All listed parties of a FollowTheMoney JSON-lines file, sorted by entry_id."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return parse_entities(path, f)
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(path, f"cannot read as UTF-8: {exc}") from exc
