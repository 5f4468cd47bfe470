"""`fiu-screen export-goaml`: a country's alerts of one date as a goAML report (BE, DE, NL) or a CSV.

XML: one `report` with one `transaction` per alerted transaction; `t_from`/`t_to` hold the
transaction's two sides from the party store (an account block when the feed gave an IBAN,
account or crypto address, else an entity block). The shape follows goAML schema 4.0 and is
checked against `schemas/goaml/goaml_4.0_subset.xsd` (see the header there for what is covered).
Suppressed alerts (reviewed false positives) are not exported. See docs/exports.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from typing import Any, NamedTuple, Optional

import pandas as pd
import pyarrow.parquet as pq

import schemas
from pipelines.analysis import load_alerts
from transforms.write import PART_FILE, partition_dir
from watchlists.identifiers import normalize_bic, normalize_iban

GOAML_COUNTRIES = ("BE", "DE", "NL")
XSD_PATH = os.path.join(os.path.dirname(schemas.__file__), "goaml", "goaml_4.0_subset.xsd")
FROM_ROLES = ("originator", "ultimate_originator", "customer")
TO_ROLES = ("beneficiary", "ultimate_beneficiary", "counterparty")
TRANSMODE = {"bank": ("WIRE", "WIRE"), "crypto": ("VIRTUAL", "VIRTUAL")}  # (transmode_code, funds_code)
UNKNOWN_COUNTRY = "XX"  # ISO 3166 user-assigned: the feed gave no country and none follows from IBAN/BIC
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class GoamlSettings(NamedTuple):
    """What the FIU assigns or expects; codes are FIU lookup values (map them to yours)."""

    rentity_id: int = 1
    report_code: str = "STR"
    submission_code: str = "E"
    currency_code_local: str = "EUR"
    submission_date: Optional[str] = None  # YYYY-MM-DDTHH:MM:SS; default: now (UTC)


class Side(NamedTuple):
    """One side of a transaction as far as the screening output knows it."""

    role: str
    name: Optional[str]
    account: Optional[str] = None
    bic: Optional[str] = None
    crypto_address: Optional[str] = None
    country: Optional[str] = None


def _text(value: Any, limit: int) -> str:
    text = _XML_ILLEGAL.sub("", "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sub(parent: ET.Element, tag: str, value: Any, limit: int = 255) -> None:
    if value is not None and str(value) != "" and not (isinstance(value, float) and pd.isna(value)):
        ET.SubElement(parent, tag).text = _text(value, limit)


def open_alerts(output_root: str, country: str, business_date: str) -> pd.DataFrame:
    """The alerts to report: not suppressed, one date and country."""
    alerts = load_alerts(output_root, country, business_date, business_date)
    return alerts[alerts["status"] != "suppressed"].reset_index(drop=True)


def transaction_sides(output_root: str, country: str, business_date: str) -> dict[tuple[str, int], list[Side]]:
    """(source_file, source_row) → the parties the run saw there, from the party store."""
    path = os.path.join(partition_dir(output_root, "parties", country, business_date), PART_FILE)
    out: dict[tuple[str, int], list[Side]] = {}
    if not os.path.exists(path):
        return out
    for row in pq.read_table(path).to_pylist():
        if row["kind"] != "party":
            continue
        for o in row["occurrences"]:
            side = Side(o["party_role"], row["party_name"], row["account"], row["bic"], row["crypto_address"],
                        row["party_country"])  # fmt: skip
            out.setdefault((o["source_file"], o["source_row"]), []).append(side)
    return out


def _pick(sides: list[Side], roles: tuple[str, ...], alerted: list[Side]) -> Side:
    for role in roles:
        for side in sides + alerted:
            if side.role == role:
                return side
    return Side(roles[0], None)


def _country(side: Side) -> str:
    if side.country and re.fullmatch("[A-Z]{2}", side.country):
        return side.country
    iban, bic = normalize_iban(side.account), normalize_bic(side.bic)
    return iban[:2] if iban else bic[4:6] if bic else UNKNOWN_COUNTRY


def _institution(side: Side, bic: Optional[str], crypto: bool) -> str:
    if bic:
        return f"BIC {bic}"
    if side.crypto_address:
        return "virtual asset address"
    return "crypto-asset service provider (the reporting exchange)" if crypto else "not given by the feed"


def _party_block(parent: ET.Element, prefix: str, side: Side, currency: Optional[str], crypto: bool) -> None:
    iban, bic = normalize_iban(side.account), normalize_bic(side.bic)
    if side.crypto_address or side.account:
        acc = ET.SubElement(parent, f"{prefix}_account")
        _sub(acc, "institution_name", _institution(side, bic, crypto))
        if bic:
            _sub(acc, "swift", bic)
        if crypto:
            _sub(acc, "non_bank_institution", "true")
        number = side.crypto_address or iban or side.account or ""
        _sub(acc, "account", number if len(number) <= 50 else "see comments", 50)
        if currency and re.fullmatch("[A-Z]{3}", currency) and not crypto:
            _sub(acc, "currency_code", currency)
        _sub(acc, "account_name", side.name)
        if iban:
            _sub(acc, "iban", iban, 34)
        if len(number) > 50:
            _sub(acc, "comments", f"account or address: {number}", 4000)
    else:
        ent = ET.SubElement(parent, f"{prefix}_entity")
        _sub(ent, "name", side.name or "unknown (not in the screening output)")


def _transaction(report: ET.Element, rows: pd.DataFrame, sides: list[Side], local: str) -> None:
    first = rows.iloc[0]
    src = "bank" if str(first["source_type"]) == "bank" else "crypto"
    alerted = [Side(str(r["party_role"]), r["party_name"] if isinstance(r["party_name"], str) else None)
               for _, r in rows.iterrows() if r["party_role"] != "remittance"]  # fmt: skip
    t = ET.SubElement(report, "transaction")
    _sub(t, "transactionnumber", first["tx_id"], 50)
    _sub(t, "internal_ref_number", f"{first['source_file']}#{int(first['source_row'])}", 50)
    why = "; ".join(f"{r['list_source']} {r['entry_id']} {r['matched_name']} ({r['match_type']} {r['score']:.1f}"
                    f"{', lookback' if r['lookback'] else ''}): {r['explanation']}" for _, r in rows.iterrows())  # fmt: skip
    _sub(t, "transaction_description", f"Watchlist screening: {why}", 4000)
    ts = first["tx_timestamp"]
    when = ts.strftime("%Y-%m-%dT%H:%M:%S") if not pd.isna(ts) else first["business_date"].strftime("%Y-%m-%dT00:00:00")
    _sub(t, "date_transaction", when)
    transmode, funds = TRANSMODE[src]
    _sub(t, "transmode_code", transmode)
    currency = first["currency"] if isinstance(first["currency"], str) else None
    foreign = currency != local
    _sub(t, "transmode_comment", "crypto-asset transfer" if src == "crypto" else "credit transfer", 50)
    _sub(t, "amount_local", f"{0.0 if foreign else float(first['amount']):.2f}")
    for prefix, roles, tag in (("from", FROM_ROLES, "t_from"), ("to", TO_ROLES, "t_to")):
        side = _pick(sides, roles, alerted)
        block = ET.SubElement(t, tag)
        _sub(block, f"{prefix}_funds_code", funds)
        _party_block(block, prefix, side, currency, src == "crypto")
        _sub(block, f"{prefix}_country", _country(side))
    notes = []
    if foreign:
        notes.append(f"amount {float(first['amount']):.8g} {currency}; no {local} value in the screening output, "
                     f"amount_local is 0")  # fmt: skip
    if src == "crypto":
        notes.append("from = exchange customer, to = counterparty address (direction not kept)")
    _sub(t, "comments", "; ".join(notes), 4000)


def goaml_report(alerts: pd.DataFrame, sides: dict[tuple[str, int], list[Side]], country: str, business_date: str,
                 settings: GoamlSettings) -> Optional[ET.Element]:  # fmt: skip
    """The `report` element, or None when nothing can be reported (goAML needs a transaction)."""
    usable = alerts[alerts["amount"].notna()]
    if not len(usable):
        return None
    submitted = settings.submission_date or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    report = ET.Element("report")
    _sub(report, "rentity_id", int(settings.rentity_id))
    _sub(report, "submission_code", settings.submission_code)
    _sub(report, "report_code", settings.report_code)
    runs = ",".join(sorted(set(map(str, usable["run_id"]))))
    _sub(report, "entity_reference", f"fiu-screen {country} {business_date} {runs}")
    _sub(report, "submission_date", submitted)
    _sub(report, "currency_code_local", settings.currency_code_local)
    groups = usable.groupby(["source_file", "source_row", "tx_id"], sort=True, observed=True)
    entries = sorted({f"{s} {e}" for s, e in zip(usable["list_source"], usable["entry_id"])})
    _sub(report, "reason", f"Watchlist screening of {country} transactions, business date {business_date}: "
                           f"{groups.ngroups} transaction(s) matched {len(entries)} listed entr"
                           f"{'y' if len(entries) == 1 else 'ies'} ({', '.join(entries)}).", 4000)  # fmt: skip
    for (source_file, source_row, _), rows in groups:
        _transaction(report, rows, sides.get((source_file, int(source_row)), []), settings.currency_code_local)
    return report


def validate(path: str, xsd: str = XSD_PATH) -> list[str]:
    """Schema errors of an XML file ([] when valid); needs lxml."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(xsd))
    ok = schema.validate(etree.parse(path))
    return [] if ok else [f"line {e.line}: {e.message}" for e in schema.error_log]


def export_goaml(output_root: str, country: str, business_date: str, output: str,
                 settings: GoamlSettings = GoamlSettings()) -> tuple[int, int]:  # fmt: skip
    """Write the goAML XML; returns (transactions, alerts without an amount that were left out)."""
    alerts = open_alerts(output_root, country, business_date)
    report = goaml_report(alerts, transaction_sides(output_root, country, business_date), country, business_date,
                          settings)  # fmt: skip
    skipped = int(alerts["amount"].isna().sum())
    if report is None:
        return 0, skipped
    ET.indent(report)
    tmp = f"{output}.tmp-{os.getpid()}"
    ET.ElementTree(report).write(tmp, encoding="UTF-8", xml_declaration=True)
    os.replace(tmp, output)
    return len(report.findall("transaction")), skipped
