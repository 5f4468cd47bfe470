"""The party store: the distinct parties a run screened and where they appeared (no amounts).

`party_rows(transactions)` is the plain function; `BuildPartyStore` is the same thing as a Beam
transform over packed blocks of transactions (each block's parties grouped, then merged by
shard of the party key, so no worker holds a whole country). `party_transactions` turns a
stored row back into minimal transactions, so re-screening reuses `make_alerts` and gives the
same alert ids a full run would.
"""

from __future__ import annotations

import zlib
from typing import Iterable, Iterator, Optional

import apache_beam as beam

from schemas.lookback import PartyOccurrence, PartyRow, party_key, shown_identifier
from schemas.records import Party, Transaction
from transforms.packing import pack_plain, unpack, unpack_plain
from transforms.parties import ROLE_ORDER
from watchlists.identifiers import party_identifiers

# (country, business_date, kind, name, account, bic, crypto_address, party_country)
PartyGroupKey = tuple[str, str, str, Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]]
__all__ = ["BuildPartyStore", "party_entries", "party_key", "party_rows", "party_sort_key", "party_transactions",
           "shown_identifier", "to_party_row"]  # fmt: skip


def party_entries(tx: Transaction) -> Iterator[tuple[PartyGroupKey, tuple]]:
    """Every screened party of a transaction (and its remittance text) with where it appeared,
    as the fields of a PartyOccurrence in a plain tuple (`to_party_row` makes the records)."""
    for party in tx.parties:
        has_name = bool(party.name and party.name.strip())
        if not has_name and not party_identifiers(party.account, party.bic, party.crypto_address):
            continue  # transforms.parties.party_refs screens nothing for it either
        name = party.name.strip() if has_name else party.name  # type: ignore[union-attr]
        key = (tx.country, tx.business_date, "party", name, party.account, party.bic, party.crypto_address,
               party.country)  # fmt: skip
        yield key, (tx.source_type, tx.source_file, tx.source_row, tx.tx_id, tx.tx_timestamp_us, party.role)
    if tx.remittance_info and tx.remittance_info.strip():
        key = (tx.country, tx.business_date, "remittance", tx.remittance_info, None, None, None, None)
        yield key, (tx.source_type, tx.source_file, tx.source_row, tx.tx_id, tx.tx_timestamp_us, "remittance")


def _occurrence_order(o: tuple) -> tuple:
    """source_file, source_row, role order, tx_id (a PartyOccurrence or its plain tuple)."""
    return (o[1], o[2], ROLE_ORDER.get(o[5], 9), o[3])


def to_party_row(key: PartyGroupKey, occurrences: Iterable[tuple]) -> PartyRow:
    """The stored row of one party; `occurrences` as PartyOccurrence or plain tuples of its fields."""
    country, business_date, kind, name, account, bic, crypto, party_country = key
    shown = None if kind == "remittance" else shown_identifier(account, bic, crypto)
    ordered = sorted(set(map(tuple, occurrences)), key=_occurrence_order)
    return PartyRow(country, business_date, party_key(name, shown), kind, name, shown, account, bic, crypto,
                    party_country, tuple([_OCCURRENCE(PartyOccurrence, o) for o in ordered]))  # fmt: skip


def party_sort_key(row: PartyRow) -> tuple:
    """The order rows are written in, so two runs give identical files."""
    return (row.kind, row.party_name or "", row.account or "", row.bic or "", row.crypto_address or "",
            row.party_country or "")  # fmt: skip


def party_rows(transactions: Iterable[Transaction]) -> list[PartyRow]:
    """The party store rows of some transactions: one per distinct party, sorted."""
    groups: dict[PartyGroupKey, list[tuple]] = {}
    for tx in transactions:
        for key, occurrence in party_entries(tx):
            groups.setdefault(key, []).append(occurrence)
    return sorted((to_party_row(k, v) for k, v in groups.items()), key=lambda r: (r.country, party_sort_key(r)))


def party_transactions(row: PartyRow) -> list[Transaction]:
    """A stored party as one minimal transaction per occurrence (no amounts: the store has none)."""
    out = []
    for o in row.occurrences:
        if row.kind == "remittance":
            parties: tuple[Party, ...] = ()
            remittance = row.party_name
        else:
            parties = (Party(o.party_role, row.party_name, row.account, row.bic, row.party_country, row.crypto_address),)
            remittance = None
        out.append(Transaction(row.country, row.business_date, o.source_type, o.source_file, o.source_row, o.tx_id,
                               o.tx_timestamp_us, None, None, parties, remittance))  # fmt: skip
    return out


_OCCURRENCE = tuple.__new__  # a PartyOccurrence from its fields' tuple, without a Python-level call
SHARDS = 16  # groups the parties are merged in (the unit of parallelism)


def _block_groups(blob: bytes) -> Iterator[tuple[int, bytes]]:
    """A block of transactions → (shard, packed [(party key, occurrences)]) per shard."""
    groups: dict[PartyGroupKey, list[tuple]] = {}
    for tx in unpack(blob):
        for key, occurrence in party_entries(tx):
            groups.setdefault(key, []).append(occurrence)
    by_shard: dict[int, list] = {}
    for key, occurrences in groups.items():
        by_shard.setdefault(zlib.crc32(repr(key).encode()) % SHARDS, []).append((key, occurrences))
    for shard, items in sorted(by_shard.items()):
        yield shard, pack_plain(items)


def _shard_rows(keyed: tuple[int, Iterable[bytes]]) -> Iterator[PartyRow]:
    """One shard's groups from every block, merged: one PartyRow per party."""
    groups: dict[PartyGroupKey, list[tuple]] = {}
    for blob in keyed[1]:
        for key, occurrences in unpack_plain(blob):
            groups.setdefault(key, []).extend(occurrences)
    for key, occurrences in groups.items():
        yield to_party_row(key, occurrences)


class BuildPartyStore(beam.PTransform):
    """Packed blocks of transactions → PartyRow per distinct party (write with WritePartitions, kind "parties")."""

    def expand(self, blocks):
        return (
            blocks
            | "PartyGroups" >> beam.FlatMap(_block_groups)
            | "GroupShard" >> beam.GroupByKey()
            | "ToPartyRows" >> beam.FlatMap(_shard_rows)
        )
