"""Record-level logic of screening, testable without a pipeline.

A transaction yields screening queries (one per party name, one per party's identifiers,
one for its remittance text); distinct queries are matched once; `make_alerts` joins the
matches back to the transaction as Alert rows.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Iterator, Mapping, NamedTuple, Optional, Sequence

from schemas.countries import fiu_for
from schemas.records import Alert, Transaction
from watchlists.identifiers import party_identifiers
from watchlists.matcher import Match, PartyQuery, best_per_entry

ROLE_ORDER = {
    "originator": 0,
    "ultimate_originator": 1,
    "beneficiary": 2,
    "ultimate_beneficiary": 3,
    "customer": 4,
    "counterparty": 5,
    "originating_vasp": 6,
    "beneficiary_vasp": 7,
    "remittance": 8,
}


class RunInfo(NamedTuple):
    """What every alert of a run carries besides its transaction and match."""

    run_id: str
    pipeline_version: str
    fius: tuple[tuple[str, str], ...] = ()  # configured (country, FIU) pairs


class PartyRef(NamedTuple):
    """One screened side of a transaction and the queries that screen it."""

    role: str
    name: Optional[str]
    identifier: Optional[str]  # what the alert shows as party_identifier
    queries: tuple[PartyQuery, ...]


@functools.lru_cache(maxsize=1 << 16)  # counterparties recur across a day's transactions
def party_queries(name: Optional[str], account: Optional[str], bic: Optional[str],
                  crypto_address: Optional[str]) -> tuple[PartyQuery, ...]:  # fmt: skip
    """The queries that screen one party: its name, and its identifiers together."""
    queries = []
    if name and name.strip():
        queries.append(PartyQuery(name=name.strip()))
    ids = party_identifiers(account, bic, crypto_address)
    if ids:
        queries.append(PartyQuery(identifiers=ids))
    return tuple(queries)


def screened_text(tx: Transaction) -> Optional[str]:
    """The remittance text that is screened (and stored) as it stands; None when it is missing
    or blank. The one rule for it, wherever a transaction's queries or parties are listed."""
    text = tx.remittance_info
    return text if text and text.strip() else None


def party_refs(tx: Transaction) -> list[PartyRef]:
    """The parties of a transaction (and its remittance text) as screening queries."""
    refs = []
    for party in tx.parties:
        queries = party_queries(party.name, party.account, party.bic, party.crypto_address)
        if queries:
            shown = party.crypto_address or party.account or party.bic
            refs.append(PartyRef(party.role, party.name, shown, queries))
    text = screened_text(tx)
    if text is not None:
        refs.append(PartyRef("remittance", text, None, (PartyQuery(text=text),)))
    return refs


def distinct_queries(tx: Transaction) -> Iterator[PartyQuery]:
    """Every query of a transaction, as `party_refs` gives them (callers de-duplicate across
    transactions); without building the PartyRefs: this runs for every transaction."""
    for party in tx.parties:
        yield from party_queries(party.name, party.account, party.bic, party.crypto_address)
    text = screened_text(tx)
    if text is not None:
        yield PartyQuery(text=text)


def alert_id(tx: Transaction, role: str, match: Match) -> str:
    """Stable id: a hash of what defines the alert (never a timestamp or a random id)."""
    parts = (tx.country, tx.business_date, tx.source_file, str(tx.source_row), tx.tx_id, role,
             match.list_source, match.entry_id, match.match_type, match.query_value)  # fmt: skip
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def make_alerts(tx: Transaction, matches: Mapping[PartyQuery, Sequence[Match]], run: RunInfo) -> list[Alert]:
    """Alert rows of one transaction: one per party × entry that fired."""
    alerts = []
    fius = dict(run.fius)
    for ref in party_refs(tx):
        hits = best_per_entry(m for q in ref.queries for m in matches.get(q, ()))
        for match in hits:
            identifier = match.query_value if match.match_type != "name" else ref.identifier
            alerts.append(Alert(
                alert_id=alert_id(tx, ref.role, match), business_date=tx.business_date,
                country=tx.country, fiu=fiu_for(tx.country, fius or None), source_type=tx.source_type,
                source_file=tx.source_file, source_row=tx.source_row, tx_id=tx.tx_id,
                tx_timestamp_us=tx.tx_timestamp_us, amount=tx.amount, currency=tx.currency,
                party_role=ref.role, party_name=ref.name, party_identifier=identifier,
                entry_id=match.entry_id, list_source=match.list_source, matched_name=match.matched_name,
                entity_type=match.entity_type, match_type=match.match_type, score=match.score,
                explanation=match.explanation, watchlist_version=match.watchlist_version,
                pipeline_version=run.pipeline_version, run_id=run.run_id,
            ))  # fmt: skip
    return alerts


def alert_sort_key(alert: Alert) -> tuple:
    """The order alerts are written in, so two runs give identical files."""
    return (alert.source_file, alert.source_row, ROLE_ORDER.get(alert.party_role, 9),
            alert.list_source, alert.entry_id, alert.alert_id)  # fmt: skip
