"""The party store: the distinct parties a run screened and where they appeared (no amounts).

`party_rows(transactions)` is the plain function; `BuildPartyStore` is the same thing as a Beam
transform over packed blocks of transactions: each block's occurrences are written as a
file in the run's staging folder (`write.write_staging`), only its path travels, and a
country's store is built from its files by one sort (`party_table`). `party_transactions`
turns a stored row back into minimal transactions, so re-screening reuses `make_alerts` and
gives the same alert ids a full run would.
"""

from __future__ import annotations

import hashlib
from array import array
from typing import Any, Iterable, Iterator, Optional, Sequence

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.lookback import OCCURRENCE_TYPE, PARTY_SCHEMA, PartyOccurrence, PartyRow, party_key, shown_identifier
from schemas.records import Party, Transaction
from transforms import gc_policy
from transforms.packing import unpack_transactions
from transforms.parties import ROLE_ORDER, screened_text
from transforms.write import read_staging, write_staging
from watchlists.identifiers import party_identifiers

# (country, business_date, kind, name, account, bic, crypto_address, party_country)
PartyGroupKey = tuple[str, str, str, Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]]
__all__ = ["BuildPartyStore", "party_entries", "party_key", "party_rows", "party_sort_key", "party_transactions",
           "shown_identifier", "to_party_row"]  # fmt: skip


_UNSCREENED = object()  # `_stored_name` of a party that is not stored


def _stored_name(party: Party) -> Any:
    """The name a party is stored under: stripped, or as given (missing or blank) when it has
    identifiers; `_UNSCREENED` when it has neither (transforms.parties.party_refs screens
    nothing for it either)."""
    name = party.name
    if name and name.strip():
        return name.strip()
    return name if party_identifiers(party.account, party.bic, party.crypto_address) else _UNSCREENED


def party_entries(tx: Transaction) -> Iterator[tuple[PartyGroupKey, tuple]]:
    """Every screened party of a transaction (and its remittance text) with where it appeared,
    as the fields of a PartyOccurrence in a plain tuple (`to_party_row` makes the records)."""
    for party in tx.parties:
        name = _stored_name(party)
        if name is _UNSCREENED:
            continue
        key = (tx.country, tx.business_date, "party", name, party.account, party.bic, party.crypto_address,
               party.country)  # fmt: skip
        yield key, (tx.source_type, tx.source_file, tx.source_row, tx.tx_id, tx.tx_timestamp_us, party.role)
    text = screened_text(tx)
    if text is not None:
        key = (tx.country, tx.business_date, "remittance", text, None, None, None, None)
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

# --- the same rows as Arrow tables, for the Beam transform ---

_PARTY_COLUMNS = ("business_date", "kind", "party_name", "account", "bic", "crypto_address", "party_country")
_OCCURRENCE_COLUMNS = tuple(f.name for f in OCCURRENCE_TYPE)  # source_type … party_role
OCCURRENCES_SCHEMA = pa.schema(  # one row per occurrence: the party's key, then where it appeared
    [(c, pa.string()) for c in _PARTY_COLUMNS] + list(OCCURRENCE_TYPE) + [("role_order", pa.int8())])


def occurrence_rows(transactions: Iterable[Transaction]) -> dict[str, list[tuple]]:
    """Country → one plain tuple per (party, occurrence) of the transactions, in
    OCCURRENCES_SCHEMA's column order."""
    by_country: dict[str, list[tuple]] = {}
    for tx in transactions:
        for key, occurrence in party_entries(tx):
            by_country.setdefault(key[0], []).append(key[1:] + occurrence + (ROLE_ORDER.get(occurrence[5], 9),))
    return by_country


def occurrence_table(rows: list[tuple]) -> pa.Table:
    """`occurrence_rows` of one country as a table (OCCURRENCES_SCHEMA)."""
    columns = zip(*rows) if rows else [[]] * len(OCCURRENCES_SCHEMA)
    return pa.Table.from_arrays([pa.array(values, type=field.type) for values, field in zip(columns, OCCURRENCES_SCHEMA)],
                                schema=OCCURRENCES_SCHEMA)  # fmt: skip


# The occurrence columns that come from the transaction: (column, Transaction field)
_TX_COLUMNS = (("business_date", "business_date"), ("source_type", "source_type"), ("source_file", "source_file"),
               ("source_row", "source_row"), ("tx_id", "tx_id"), ("tx_timestamp", "tx_timestamp_us"))  # fmt: skip


def _role_order(roles: pa.Array) -> pa.Array:
    """ROLE_ORDER of each role (9 for one it does not list), worked out once per distinct role."""
    encoded = roles.dictionary_encode(null_encoding="encode")
    orders = [ROLE_ORDER.get(role, 9) for role in encoded.dictionary.to_pylist()]
    return pa.array(orders, pa.int8()).take(encoded.indices)


def occurrence_tables(transactions: Sequence[Transaction]) -> dict[str, pa.Table]:
    """Country → one row per (party, occurrence) of the transactions (OCCURRENCES_SCHEMA): the
    table of `occurrence_rows`, built a column at a time: the party's values once per
    occurrence, the transaction's once per transaction and repeated by Arrow (`take`), no tuple
    per occurrence (NL's 166,666 transactions at 1M, in blocks of 2,048: 1.38–1.40 → 0.62–0.83
    s)."""
    by_country: dict[str, tuple[array, list[list[Any]]]] = {}
    for i, tx in enumerate(transactions):
        found = by_country.get(tx.country)
        if found is None:
            found = by_country[tx.country] = (array("i"), [[] for _ in range(6)])
        at, (names, accounts, bics, cryptos, countries, roles) = found
        for party in tx.parties:
            name = _stored_name(party)
            if name is _UNSCREENED:
                continue
            at.append(i)
            names.append(name)
            accounts.append(party.account)
            bics.append(party.bic)
            cryptos.append(party.crypto_address)
            countries.append(party.country)
            roles.append(party.role)
        text = screened_text(tx)
        if text is not None:
            at.append(i)
            names.append(text)
            accounts.append(None)
            bics.append(None)
            cryptos.append(None)
            countries.append(None)
            roles.append("remittance")
    if not by_country:
        return {}
    per_tx = {name: pa.array([getattr(tx, attr) for tx in transactions], OCCURRENCES_SCHEMA.field(name).type)
              for name, attr in _TX_COLUMNS}  # fmt: skip
    tables = {}
    for country, (at, (names, accounts, bics, cryptos, countries, roles)) in by_country.items():
        where = pa.array(at, pa.int32())
        role_array = pa.array(roles, pa.string())
        columns = {name: values.take(where) for name, values in per_tx.items()}
        columns.update({
            "kind": pc.if_else(pc.equal(role_array, "remittance"), "remittance", "party"),
            "party_name": pa.array(names, pa.string()), "account": pa.array(accounts, pa.string()),
            "bic": pa.array(bics, pa.string()), "crypto_address": pa.array(cryptos, pa.string()),
            "party_country": pa.array(countries, pa.string()), "party_role": role_array,
            "role_order": _role_order(role_array),
        })  # fmt: skip
        tables[country] = pa.Table.from_arrays([columns[f.name] for f in OCCURRENCES_SCHEMA], schema=OCCURRENCES_SCHEMA)
    return tables


def _ranks(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """The column's values as dense ranks in ascending order, 0 for a missing value (so a
    missing text sorts just before "", as in `party_sort_key`); and how many ranks there are.
    Only the distinct values are sorted."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = column.dictionary_encode()
    distinct = len(encoded.dictionary)
    rank = np.zeros(distinct + 1, np.uint64)
    rank[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(1, distinct + 1, dtype=np.uint64)
    return rank[pc.fill_null(encoded.indices, distinct).to_numpy(zero_copy_only=False)], distinct + 1


def _rank_words(table: pa.Table, names: Iterable[str]) -> list[np.ndarray]:
    """The named columns' ranks (`_ranks`) packed into uint64 words, as many columns to a word
    as their ranks' bits allow: comparing two rows' words in turn compares their columns in
    turn. (Arrow's sort over the columns themselves compared strings column by column: NL's
    467,164 occurrences at 1M transactions sorted in 0.35 s, their words in ~0.2 s with the
    ranking.)"""
    words: list[np.ndarray] = []
    bits_used = 64
    for name in names:
        ranks, count = _ranks(table.column(name))
        bits = max(1, (count - 1).bit_length())
        if bits_used + bits > 64:
            words.append(ranks)
            bits_used = bits
        else:
            words[-1] = (words[-1] << np.uint64(bits)) | ranks
            bits_used += bits
    return words


def _same_as_previous(words: Sequence[np.ndarray]) -> np.ndarray:
    """Whether row i+1 has the same words as row i (so the same values in their columns)."""
    same = np.ones(max(len(words[0]) - 1, 0), bool)
    for word in words:
        same &= word[1:] == word[:-1]
    return same


# Where a party appeared, in `_occurrence_order` (rows are ordered by the party columns first, `party_sort_key`)
_PLACE_ORDER = ("source_file", "source_row", "role_order", "tx_id", "source_type", "tx_timestamp", "party_role")


def party_table(country: str, occurrences: pa.Table) -> pa.Table:
    """A country's occurrences (OCCURRENCES_SCHEMA, in any order) → its party store
    (PARTY_SCHEMA): one row per distinct party in `party_sort_key` order, its distinct
    occurrences in `_occurrence_order` — the table `party_rows` gives, without a Python object
    per occurrence.

    The rows are ordered by their columns' ranks (`_rank_words`), and compared by them; each
    output column is taken once (a country's occurrences are ~70 MB in Arrow at 1M
    transactions). role_order follows from party_role, so an occurrence listed twice (the same
    party twice in one role) is a row whose every word repeats the previous one's, and counts
    once."""
    party_words = _rank_words(occurrences, _PARTY_COLUMNS)
    place_words = _rank_words(occurrences, _PLACE_ORDER)
    order = np.lexsort((party_words + place_words)[::-1])  # stable; the first word is the primary key
    n = len(order)
    party_words = [w[order] for w in party_words]
    same_party = _same_as_previous(party_words)
    repeat = same_party & _same_as_previous([w[order] for w in place_words])
    keep = np.concatenate([np.ones(min(n, 1), bool), ~repeat])
    first = np.concatenate([np.ones(min(n, 1), bool), ~same_party])[keep]
    order = pa.array(order[keep])
    starts = np.flatnonzero(first).astype(np.int32)
    parties = occurrences.select(list(_PARTY_COLUMNS)).take(order.filter(pa.array(first)))
    kinds, names, accounts, bics, cryptos = (parties.column(c).to_pylist()
                                             for c in ("kind", "party_name", "account", "bic", "crypto_address"))  # fmt: skip
    shown = [None if k == "remittance" else shown_identifier(a, b, c) for k, a, b, c in zip(kinds, accounts, bics, cryptos)]
    columns = {
        "country": pa.array([country] * len(kinds), pa.string()),
        "party_key": pa.array(list(map(party_key, names, shown)), pa.string()),
        "party_identifier": pa.array(shown, pa.string()),
        "occurrences": pa.ListArray.from_arrays(
            pa.array(np.append(starts, np.int32(len(order))), pa.int32()),
            pa.StructArray.from_arrays([occurrences.column(c).take(order).combine_chunks() for c in _OCCURRENCE_COLUMNS],
                                       fields=list(OCCURRENCE_TYPE))),  # fmt: skip
    }
    arrays = []
    for field in PARTY_SCHEMA:
        values = columns[field.name] if field.name in columns else parties.column(field.name).combine_chunks()
        arrays.append(values.dictionary_encode().cast(field.type) if pa.types.is_dictionary(field.type) else values)
    return pa.Table.from_arrays(arrays, schema=PARTY_SCHEMA)


class _OccurrenceFilesFn(beam.DoFn):
    """A packed block of transactions → (country, path) per country: the block's occurrence
    rows (OCCURRENCES_SCHEMA) written as a staging file under `folder` (`write.write_staging`:
    encrypted with the country's key when there are keys). The runner moves paths instead of
    rows: it held every block's rows until the merge, and twice while grouping them (~130 MB at
    1M transactions, the runner's largest item at the run's peak). A block's file name follows
    from its first row, so a retried bundle writes the same file again."""

    def __init__(self, folder: str, keys: Optional[dict[str, str]] = None) -> None:
        self._folder = folder
        self._keys = keys

    def setup(self) -> None:
        gc_policy.relax()

    def process(self, blob):  # type: ignore[override]
        txs = unpack_transactions(blob)
        first = txs[0]
        block = hashlib.sha1(repr((first.country, first.source_file, first.source_row, len(txs))).encode()).hexdigest()
        for country, table in sorted(occurrence_tables(txs).items()):
            yield country, write_staging(self._folder, self._keys, country, block, table)


def _country_party_table(keyed: tuple[str, Iterable[str]], keys: Optional[dict[str, str]] = None) -> tuple[str, pa.Table]:
    """A country's occurrence files → its party store (files read in path order)."""
    country, paths = keyed
    tables = [read_staging(path, keys) for path in sorted(paths)]
    table = party_table(country, pa.concat_tables(tables))
    del tables
    gc_policy.give_back()  # the concatenated, sorted and filtered copies
    return country, table


class BuildPartyStore(beam.PTransform):
    """Packed blocks of transactions → (country, its party store as a PARTY_SCHEMA table, in
    party_sort_key order) per country that has parties; write with WritePartitionTables.
    `folder`: where the blocks' occurrence files go (the run's staging folder; every worker
    must reach it, as it must reach the partitions' staging folder). `keys`: per-country
    master keys, to encrypt those files (none: plain).

    The occurrences merge as Arrow columns: with a PartyRow (and a tuple per occurrence) per
    party, building the store took 14% of the workers' time at 1M transactions and was where
    their memory peaked."""

    def __init__(self, folder: str, keys: Optional[dict[str, str]] = None) -> None:
        super().__init__()
        self._folder = folder
        self._keys = keys

    def expand(self, blocks):
        return (
            blocks
            | "PartyOccurrences" >> beam.ParDo(_OccurrenceFilesFn(self._folder, self._keys))
            | "GroupCountry" >> beam.GroupByKey()
            | "PartyTables" >> beam.Map(_country_party_table, self._keys)
        )
