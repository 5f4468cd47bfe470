"""What re-screening needs from past runs: the party store and the watchlist snapshots.

The party store keeps, per country and business date, every distinct party the run screened
and where it appeared (transaction ids and source rows), never amounts:

    <output-root>/parties/country=<CC>/business_date=<D>/part-00000.parquet   (PARTY_SCHEMA)

A watchlist snapshot keeps one fingerprint per entry of a list version, so a later list can be
compared entry by entry (added or changed entries are the ones worth re-screening):

    <output-root>/watchlists/version=<sha256>/entries.parquet                 (LIST_ENTRY_SCHEMA)

A reviewed false positive is one `Suppression` row of a country's suppression file.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple, Optional, Tuple

import pyarrow as pa  # type: ignore[import-untyped]

from schemas.arrow import arrow_schema

PARTY_KINDS = ("party", "remittance")


class PartyOccurrence(NamedTuple):
    """One place a party appeared: the transaction and the role it had there."""

    source_type: str  # bank | crypto
    source_file: str
    source_row: int
    tx_id: str
    tx_timestamp_us: Optional[int]
    party_role: str


class PartyRow(NamedTuple):
    """One distinct screened party of a country and date (distinct by kind, name and identifiers)."""

    country: str
    business_date: str
    party_key: str  # party_key(party_name, party_identifier): the key suppression files use
    kind: str  # party | remittance (the name is then the remittance text)
    party_name: Optional[str]
    party_identifier: Optional[str]  # what alerts show: crypto address, else account, else BIC
    account: Optional[str]
    bic: Optional[str]
    crypto_address: Optional[str]
    party_country: Optional[str]  # ISO 3166-1 alpha-2 from the feed, when given
    occurrences: Tuple[PartyOccurrence, ...]


class ListEntryFingerprint(NamedTuple):
    """One entry of a list version: changed content gives a different fingerprint."""

    list_source: str
    entry_id: str
    fingerprint: str  # SHA-256 of the entry as canonical JSON


class Suppression(NamedTuple):
    """A reviewed false positive: this party never fires for this entry until `until`."""

    party_key: str
    entry_id: str
    reviewer: str
    reason: str
    until: str  # YYYY-MM-DD, inclusive
    list_source: Optional[str] = None  # empty: the entry id in any list


def party_key(name: Optional[str], identifier: Optional[str]) -> str:
    """The key a reviewer suppresses: the party's name and shown identifier, case and spacing folded.

    Computed from an alert's `party_name` and `party_identifier` (pipelines.analysis adds it as
    a column), so the same party gets the same key on every day it appears.
    """
    folded_name = " ".join((name or "").split()).casefold()
    folded_id = "".join((identifier or "").split()).casefold()
    return hashlib.sha256(f"{folded_name}\x1f{folded_id}".encode()).hexdigest()[:16]


def shown_identifier(account: Optional[str], bic: Optional[str], crypto_address: Optional[str]) -> Optional[str]:
    """What an alert shows as party_identifier for a name match (as transforms.parties does)."""
    return crypto_address or account or bic


_DICT_STRING = pa.dictionary(pa.int32(), pa.string())
OCCURRENCE_TYPE = pa.struct([
    ("source_type", pa.string()), ("source_file", pa.string()), ("source_row", pa.int64()),
    ("tx_id", pa.string()), ("tx_timestamp", pa.timestamp("us", tz="UTC")), ("party_role", pa.string()),
])  # fmt: skip
PARTY_SCHEMA = pa.schema(
    [pa.field(n, _DICT_STRING if n in ("country", "business_date") else pa.string()) for n in PartyRow._fields[:-1]]
    + [pa.field("occurrences", pa.list_(OCCURRENCE_TYPE))]
)
LIST_ENTRY_SCHEMA = arrow_schema(ListEntryFingerprint)
