"""The record types that flow through the pipeline: one NamedTuple per record.

Feeds are parsed into `Transaction` (with its `Party` tuple) or `QuarantineRow`; lists into
`WatchlistEntry`; screening produces `Alert`. Times are epoch microseconds (UTC) and dates
ISO strings, so every record maps to Arrow without a custom coder.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

PARTY_ROLES = (
    "originator",
    "beneficiary",
    "ultimate_originator",
    "ultimate_beneficiary",
    "customer",
    "counterparty",
    "originating_vasp",
    "beneficiary_vasp",
    "remittance",
)
SOURCE_TYPES = ("bank", "crypto")
ENTITY_TYPES = ("organization", "vessel", "person", "aircraft", "unknown")
ALERT_STATUSES = ("open", "suppressed")


class Party(NamedTuple):
    """One named side of a transaction, with the identifiers the feed gives for it."""

    role: str  # one of PARTY_ROLES except "remittance"
    name: Optional[str]
    account: Optional[str] = None  # IBAN, other account id or exchange customer id
    bic: Optional[str] = None  # the party's agent BIC (bank feeds)
    country: Optional[str] = None  # ISO 3166-1 alpha-2
    crypto_address: Optional[str] = None  # as given in the feed (not normalised)


class Transaction(NamedTuple):
    """One parsed input row (CSV row, JSONL line or pacs.008 CdtTrfTxInf)."""

    country: str  # reporting country, ISO 3166-1 alpha-2
    business_date: str  # YYYY-MM-DD
    source_type: str  # bank | crypto
    source_file: str  # path relative to <input-root>/<date>/<CC>/, e.g. "bank/payments.csv"
    source_row: int  # 1-based: data row, JSON line, or CdtTrfTxInf position
    tx_id: str
    tx_timestamp_us: Optional[int]  # epoch microseconds, UTC
    amount: Optional[float]
    currency: Optional[str]  # ISO 4217, or the crypto asset symbol
    parties: Tuple[Party, ...]
    remittance_info: Optional[str] = None
    reporting_entity: Optional[str] = None
    file_format: str = ""  # bank-csv | pacs.008 | crypto-csv | crypto-jsonl


class QuarantineRow(NamedTuple):
    """An input row (or a whole file, source_row 0) that could not be screened, and why."""

    country: str
    business_date: str
    source_type: str
    source_file: str
    source_row: int  # 0 when the whole file is quarantined
    raw_record: str
    reason: str


class Alias(NamedTuple):
    """A listed name; weak (low-quality) aliases never fire on their own."""

    name: str
    weak: bool = False


class Identifier(NamedTuple):
    """A listed identifier, normalised: kind is imo | mmsi | lei | bic | iban | crypto_address | …"""

    kind: str
    value: str
    note: Optional[str] = None  # e.g. the crypto chain ("ETH") or the document type


class WatchlistEntry(NamedTuple):
    """One listed party, whatever list it comes from."""

    entry_id: str  # the list's own id (coalition entry_id, OFAC profile id / ent_num, …)
    list_source: str  # coalition | ofac_sdn | …
    entity_type: str  # one of ENTITY_TYPES
    name: str  # primary name
    aliases: Tuple[Alias, ...] = ()
    countries: Tuple[str, ...] = ()
    identifiers: Tuple[Identifier, ...] = ()
    vessel_flag: Optional[str] = None
    programs: Tuple[str, ...] = ()
    listed_on: Optional[str] = None
    reason: Optional[str] = None


class Alert(NamedTuple):
    """One row per transaction × party × watchlist entry that fired (DESIGN §5)."""

    alert_id: str
    business_date: str
    country: str
    fiu: str
    source_type: str
    source_file: str
    source_row: int
    tx_id: str
    tx_timestamp_us: Optional[int]
    amount: Optional[float]
    currency: Optional[str]
    party_role: str
    party_name: Optional[str]
    party_identifier: Optional[str]
    entry_id: str
    list_source: str
    matched_name: Optional[str]
    entity_type: str
    match_type: str
    score: float
    explanation: str
    watchlist_version: str
    pipeline_version: str
    run_id: str
    # 0.2.0 additions (at the end, with defaults, so older files and callers keep working):
    lookback: bool = False  # written by `fiu-screen rescreen`: a past party against a new or changed entry
    status: str = "open"  # one of ALERT_STATUSES; "suppressed" when a reviewed false positive matches


class FileStats(NamedTuple):
    """Reconciliation of one input file: rows read = rows screened + rows quarantined."""

    country: str
    source_file: str
    file_format: str
    rows_read: int
    rows_screened: int
    rows_quarantined: int
    status: str  # ok | failed (the file as a whole could not be read)
    error: Optional[str] = None
