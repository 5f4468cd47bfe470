"""Read the OFAC SDN legacy CSV set: sdn.csv (required), alt.csv, add.csv, sdn_comments.csv.

The files have no header row (columns per OFAC's `dat_spec.txt`), `-0-` is null, and a Ctrl-Z
(0x1A) line ends each file. File names are matched case-insensitively (OFAC also ships
`SDN.CSV`). Text is UTF-8 when it decodes as such, else cp1252, else latin-1.

What is taken from where:
* aliases: alt.csv (`aka`/`fka`/`nka` strong, `weak aka` weak) and the `a.k.a. '…'` /
  `f.k.a. '…'` / `n.k.a. '…'` quotes in the remarks, which is where OFAC puts its weak
  (low-quality) aliases in this format;
* identifiers from the remarks, continued by sdn_comments.csv (a long remark is cut in sdn.csv,
  even inside a crypto address, and its tail is in sdn_comments.csv, so the two are joined
  without a separator): ship IMO numbers (`imo`, check digit verified) for vessels and IMO
  company numbers (`imo_company`) for others, `MMSI`, `SWIFT/BIC`, LEIs given as
  `Legal Entity Number`, `Digital Currency Address - XBT …` (note = the currency);
* countries: ISO2 codes of add.csv country names found in `OFAC_COUNTRY_CODES` (names not in
  the table, such as "Region: Kafia Kingi", are left out so that countries stay ISO2);
* vessel_flag: ISO2 when the flag names a known country, else the text as given.

Rows of the optional files whose ent_num has no sdn.csv record are ignored. Any malformed row
(wrong field count, non-numeric ent_num, bad quoting, a nameless or duplicated record) raises
`WatchlistError` naming the file and line: a list is used whole or not at all.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable

from schemas.records import Alias, Identifier, WatchlistEntry
from watchlists.errors import WatchlistError
from watchlists.identifiers import (
    find_imos,
    normalize_bic,
    normalize_crypto_address,
    normalize_lei,
)

LIST_SOURCE = "ofac_sdn"
SDN_COLUMNS = ("ent_num", "sdn_name", "sdn_type", "program", "title", "call_sign", "vess_type",
               "tonnage", "grt", "vess_flag", "vess_owner", "remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
COMMENT_COLUMNS = ("ent_num", "remarks_extended")
_REMARK_COLUMNS = ("remarks", "remarks_extended")
_ENTITY_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}

_REMARK_ALIAS = re.compile(r"\b[afn]\.k\.a\. '(.+?)'(?=\s*[;.]|\s*$)")
_IMO_ANY = re.compile(r"\bIMO\s*(\d{7})\b")
_MMSI = re.compile(r"\bMMSI\s+(\d{9})\b")
_BIC = re.compile(r"\bSWIFT/BIC\s+([A-Za-z0-9]{8,11})\b")
_LEI = re.compile(r"\bLegal Entity Number\s+([A-Za-z0-9]{20})\b")
_CRYPTO = re.compile(r"Digital Currency Address - ([A-Za-z0-9]+)\s+([^\s;.,]+)")
_NO_FLAG = {"unknown", "none identified", "none"}

# ISO2 code and OFAC's spelling of the country (plus a few variants seen in vessel flags).
_COUNTRY_TABLE = (
    "AF Afghanistan|AL Albania|DZ Algeria|AO Angola|AG Antigua and Barbuda|AR Argentina|"
    "AM Armenia|AW Aruba|AU Australia|AT Austria|AZ Azerbaijan|BS Bahamas, The|BH Bahrain|"
    "BD Bangladesh|BB Barbados|BY Belarus|BE Belgium|BZ Belize|BJ Benin|BM Bermuda|BO Bolivia|"
    "BA Bosnia and Herzegovina|BR Brazil|VG Virgin Islands, British|VG British Virgin Islands|"
    "BN Brunei|BG Bulgaria|BF Burkina Faso|MM Burma|BI Burundi|KH Cambodia|CM Cameroon|"
    "CA Canada|CV Cape Verde|CV Cabo Verde|KY Cayman Islands|CF Central African Republic|"
    "TD Chad|CL Chile|CN China|CO Colombia|KM Comoros|CD Congo, Democratic Republic of the|"
    "CG Congo, Republic of the|CK Cook Islands|CR Costa Rica|CI Cote d Ivoire|HR Croatia|"
    "CU Cuba|CW Curacao|CY Cyprus|CZ Czech Republic|CZ Czechia|DK Denmark|DJ Djibouti|"
    "DM Dominica|DO Dominican Republic|EC Ecuador|EG Egypt|SV El Salvador|GQ Equatorial Guinea|"
    "ER Eritrea|EE Estonia|SZ Eswatini|SZ Swaziland|ET Ethiopia|FJ Fiji|FI Finland|FR France|"
    "GA Gabon|GM The Gambia|GE Georgia|DE Germany|GH Ghana|GI Gibraltar|GR Greece|"
    "GT Guatemala|GN Guinea|GW Guinea-Bissau|GY Guyana|HT Haiti|HN Honduras|HK Hong Kong|"
    "HU Hungary|IS Iceland|IN India|ID Indonesia|IR Iran|IQ Iraq|IE Ireland|IL Israel|IT Italy|"
    "JM Jamaica|JP Japan|JE Jersey|JO Jordan|KZ Kazakhstan|KE Kenya|KI Kiribati|"
    "KP Korea, North|KP North Korea|KP Democratic People's Republic of Korea|KR Korea, South|"
    "KR South Korea|XK Kosovo|KW Kuwait|KG Kyrgyzstan|LA Laos|LV Latvia|LB Lebanon|LR Liberia|"
    "LY Libya|LI Liechtenstein|LT Lithuania|LU Luxembourg|MO Macau|MG Madagascar|MY Malaysia|"
    "MV Maldives|ML Mali|MT Malta|IM Man, Isle of|MH Marshall Islands|MR Mauritania|"
    "MU Mauritius|MX Mexico|MD Moldova|MC Monaco|MN Mongolia|ME Montenegro|MA Morocco|"
    "MZ Mozambique|NA Namibia|NL Netherlands|NZ New Zealand|NI Nicaragua|NE Niger|NG Nigeria|"
    "NU Niue|MK North Macedonia, The Republic of|MK North Macedonia|NO Norway|OM Oman|"
    "PK Pakistan|PW Palau|PW Republic of Palau|PS Palestinian|PS West Bank|PS Region: Gaza|"
    "PS Region: West Bank|PA Panama|PY Paraguay|PE Peru|PH Philippines|PL Poland|PT Portugal|"
    "QA Qatar|RO Romania|RU Russia|RW Rwanda|KN Saint Kitts and Nevis|"
    "VC Saint Vincent and the Grenadines|VC Saint Vincent and Grenadines|WS Samoa|"
    "SM San Marino|ST Sao Tome and Principe|SA Saudi Arabia|SN Senegal|RS Serbia|"
    "SC Seychelles|SL Sierra Leone|SG Singapore|SX Sint Maarten|SK Slovakia|SI Slovenia|"
    "SO Somalia|ZA South Africa|SS South Sudan|ES Spain|LK Sri Lanka|SD Sudan|SR Suriname|"
    "SE Sweden|CH Switzerland|SY Syria|TW Taiwan|TJ Tajikistan|TZ Tanzania|TH Thailand|TG Togo|"
    "TT Trinidad and Tobago|TN Tunisia|TR Turkey|TR Turkiye|TM Turkmenistan|TV Tuvalu|"
    "UG Uganda|UA Ukraine|AE United Arab Emirates|GB United Kingdom|US United States|"
    "UY Uruguay|UZ Uzbekistan|VU Vanuatu|VE Venezuela|VN Vietnam|YE Yemen|ZM Zambia|ZW Zimbabwe"
)


def _country_key(name: str) -> str:
    """'St. Kitts & Nevis' and 'Saint Kitts and Nevis' share a key; 'the' is ignored."""
    words = re.findall(r"[a-z]+", name.lower().replace("&", " and ").replace("st.", "saint "))
    return "".join(w for w in words if w != "the")


OFAC_COUNTRY_CODES: dict[str, str] = {
    _country_key(item[3:]): item[:2] for item in _COUNTRY_TABLE.split("|")
}


def country_code(name: str | None) -> str | None:
    """ISO2 code for a country name as OFAC writes it; None when not in the table."""
    return OFAC_COUNTRY_CODES.get(_country_key(name)) if name else None


def _null(value: str, keep_spaces: bool = False) -> str | None:
    """None for `-0-` or blank; remarks keep their spaces (they may continue in comments)."""
    stripped = value.strip()
    if stripped in ("", "-0-"):
        return None
    return value if keep_spaces else stripped


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _find(directory: str, name: str) -> str | None:
    names = {n.lower(): n for n in os.listdir(directory)}
    return os.path.join(directory, names[name]) if name in names else None


def _read_rows(directory: str, name: str, columns: tuple[str, ...],
               required: bool = False) -> list[dict[str, str | None]]:
    path = _find(directory, name)
    if path is None:
        if required:
            raise WatchlistError(directory, f"{name} is missing")
        return []
    with open(path, "rb") as f:
        text = _decode(f.read()).rstrip("\r\n\x1a\t ")
    rows: list[dict[str, str | None]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise WatchlistError(path, f"line {reader.line_num}: {len(row)} fields, "
                                           f"expected {len(columns)}")
            record = {c: _null(v, c in _REMARK_COLUMNS) for c, v in zip(columns, row)}
            if not (record["ent_num"] or "").isdigit():
                raise WatchlistError(path, f"line {reader.line_num}: ent_num is not a number")
            rows.append(record)
    except csv.Error as exc:
        raise WatchlistError(path, f"not a valid CSV file: {exc}") from exc
    return rows


def _complete(pattern: re.Pattern[str], text: str) -> list[str]:
    """Matches not touching the end: full remarks end in '.', so such a value was cut off."""
    return [m.group(m.lastindex or 0) for m in pattern.finditer(text) if m.end() < len(text)]


def _remark_identifiers(remarks: str, entity_type: str) -> list[Identifier]:
    out: list[Identifier] = []
    if entity_type == "vessel":
        out += [Identifier("imo", imo) for imo in find_imos(remarks)]
    else:
        out += [Identifier("imo_company", imo) for imo in _complete(_IMO_ANY, remarks)]
    out += [Identifier("mmsi", mmsi) for mmsi in _complete(_MMSI, remarks)]
    out += [Identifier("bic", b) for b in map(normalize_bic, _complete(_BIC, remarks)) if b]
    out += [Identifier("lei", v) for v in map(normalize_lei, _complete(_LEI, remarks)) if v]
    for m in _CRYPTO.finditer(remarks):
        address = normalize_crypto_address(m.group(2))
        if address and m.end() < len(remarks):
            out.append(Identifier("crypto_address", address, m.group(1)))
    return list(dict.fromkeys(out))


def tidy_aliases(primary: str, aliases: Iterable[Alias]) -> tuple[Alias, ...]:
    """Case-insensitive dedupe; the primary name is not repeated; strong beats weak."""
    seen: dict[str, Alias] = {}
    for alias in aliases:
        name = " ".join(alias.name.split())
        key = name.casefold()
        if not name or key == primary.casefold():
            continue
        if key not in seen or (seen[key].weak and not alias.weak):
            seen[key] = Alias(seen[key].name if key in seen else name, alias.weak)
    return tuple(seen.values())


def _flag(text: str | None) -> str | None:
    if not text or text.lower() in _NO_FLAG:
        return None
    return country_code(text) or text


def _programs(text: str | None) -> tuple[str, ...]:
    parts = (p.strip(" []") for p in (text or "").split("] ["))
    return tuple(dict.fromkeys(p for p in parts if p))


def read_ofac_csv(directory: str) -> list[WatchlistEntry]:
    """All SDN records of an OFAC legacy CSV directory, sorted by entry_id."""
    if not os.path.isdir(directory):
        raise WatchlistError(directory, "not a directory")
    sdn = _read_rows(directory, "sdn.csv", SDN_COLUMNS, required=True)
    if not sdn:
        raise WatchlistError(directory, "sdn.csv has no records")
    alts: dict[str, list[Alias]] = {}
    for row in _read_rows(directory, "alt.csv", ALT_COLUMNS):
        if row["alt_name"]:
            weak = (row["alt_type"] or "").lower() == "weak aka"
            alts.setdefault(row["ent_num"] or "", []).append(Alias(row["alt_name"], weak))
    countries: dict[str, list[str]] = {}
    for row in _read_rows(directory, "add.csv", ADD_COLUMNS):
        code = country_code(row["country"])
        if code:
            countries.setdefault(row["ent_num"] or "", []).append(code)
    comments: dict[str, str] = {}
    for row in _read_rows(directory, "sdn_comments.csv", COMMENT_COLUMNS):
        key = row["ent_num"] or ""
        comments[key] = comments.get(key, "") + (row["remarks_extended"] or "")
    entries: dict[str, WatchlistEntry] = {}
    for row in sdn:
        ent_num, name = row["ent_num"] or "", " ".join((row["sdn_name"] or "").split())
        if not name:
            raise WatchlistError(directory, f"sdn.csv record {ent_num} has no name")
        if ent_num in entries:
            raise WatchlistError(directory, f"sdn.csv record {ent_num} is duplicated")
        sdn_type = (row["sdn_type"] or "").lower()  # blank (-0-) means an entity
        entity_type = _ENTITY_TYPES.get(sdn_type, "unknown") if sdn_type else "organization"
        remarks = (row["remarks"] or "") + comments.get(ent_num, "")
        weak_aliases = [Alias(n, True) for n in _REMARK_ALIAS.findall(remarks)]
        entries[ent_num] = WatchlistEntry(
            entry_id=ent_num, list_source=LIST_SOURCE, entity_type=entity_type, name=name,
            aliases=tidy_aliases(name, alts.get(ent_num, []) + weak_aliases),
            countries=tuple(dict.fromkeys(countries.get(ent_num, []))),
            identifiers=tuple(_remark_identifiers(remarks, entity_type)),
            vessel_flag=_flag(row["vess_flag"]), programs=_programs(row["program"]),
        )
    return [entries[k] for k in sorted(entries)]
