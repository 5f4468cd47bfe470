"""The blobs rows cross stage boundaries in: pickled (`pack`), marshalled (`pack_plain`) and
records through `pack_rows`, which must give back equal records of the same type."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.lookback import PartyOccurrence, PartyRow
from schemas.records import Party, QuarantineRow, Transaction
from transforms.packing import pack, pack_plain, pack_rows, unpack, unpack_plain, unpack_rows

OCCURRENCES = (PartyOccurrence("bank", "bank/payments.csv", 3, "T3", 1_764_201_600_000_000, "beneficiary"),
               PartyOccurrence("bank", "bank/pacs008.xml", 1, "E1", None, "originator"))  # fmt: skip
PARTY = PartyRow("NL", "2026-11-27", "k", "party", "Blue Sea Shpg BV", "NL91ABNA0417164300", "NL91ABNA0417164300",
                 None, None, "NL", OCCURRENCES)  # fmt: skip
TX = Transaction("NL", "2026-11-27", "bank", "bank/payments.csv", 7, "T7", 1_764_201_600_000_000, 12.5, "EUR",
                 (Party("originator", "Ana Ñúñez"), Party("beneficiary", None, "NL91ABNA0417164300", "ABNANL2A", "NL")),
                 "IMO 9187629", None, "bank-csv")  # fmt: skip


@pytest.mark.parametrize("rows, record", [
    ([PARTY, PARTY._replace(party_name=None, occurrences=())], PartyRow),
    ([TX, TX._replace(parties=(), amount=None)], Transaction),
    ([QuarantineRow("BE", "2026-11-27", "bank", "bank/x.csv", 2, "a,b", "amount: missing")], QuarantineRow),
    ([], QuarantineRow),
])  # fmt: skip
def test_records_come_back_equal_and_of_their_type(rows, record):
    blob = pack_rows(rows)
    assert blob[:1] == b"M"  # these values all marshal
    back = unpack_rows(blob, record)
    assert back == rows
    assert all(type(r) is record for r in back)


def test_a_value_marshal_refuses_falls_back_to_pickle():
    row = TX._replace(remittance_info=dt.date(2026, 11, 27))  # not a type marshal takes
    blob = pack_rows([row])
    assert blob[:1] == b"P"
    assert unpack_rows(blob, Transaction) == [row]
    assert type(unpack_rows(blob, Transaction)[0].parties[0]) is Party  # pickle keeps nested records


def test_plain_packing_refuses_records_and_round_trips_plain_data():
    with pytest.raises(ValueError):
        pack_plain([TX])
    data = [(("NL", "x", None), [("bank", 1, None, 2.5)])]
    assert unpack_plain(pack_plain(data)) == data
    assert unpack(pack([TX])) == [TX]


def test_the_same_blob_object_is_unpickled_at_most_once_an_equal_copy_again(monkeypatch):
    import pickle

    import transforms.packing as packing

    calls = []
    real = pickle.loads
    monkeypatch.setattr(packing.pickle, "loads", lambda data: calls.append(1) or real(data))
    rows = [TX]
    blob = pack(rows)
    assert unpack(blob) is rows and not calls  # a consumer in the producer's stage: the rows emitted
    copy = bytes(bytearray(blob))  # what a consumer in another stage receives
    assert copy == blob and copy is not blob
    first = unpack(copy)
    assert first == rows and first is not rows and len(calls) == 1
    assert unpack(copy) is first and len(calls) == 1  # a second consumer of the same element
    assert unpack(bytes(bytearray(blob))) == rows and len(calls) == 2


def _block(n: int) -> list[Transaction]:
    """Rows as a reader gives them: a few parties recurring (one object per distinct party)."""
    parties = [Party("originator", f"Sender {i}", f"NL{i:02d}ABNA0417164300") for i in range(5)]
    payee = Party("beneficiary", "Blue Sea Shpg BV", None, "ABNANL2A", "NL")
    return [TX._replace(source_row=i, tx_id=f"T{i}", parties=(parties[i % 5], payee) if i % 7 else (),
                        amount=None if i % 11 == 0 else i + 0.25) for i in range(n)]  # fmt: skip


def test_transaction_blocks_come_back_equal_whole_or_only_the_rows_asked_for():
    from transforms.packing import pack_transactions, unpack_plain, unpack_transactions

    rows = _block(60)
    blob = pack_transactions(rows)
    assert unpack_transactions(blob) is rows  # the producer's own blob: nothing rebuilt
    pack(["queries"])  # what the screening index packs before the party store gets the block
    assert unpack_transactions(blob) is rows
    copy = bytes(bytearray(blob))  # what a consumer in another stage receives
    back = unpack_transactions(copy)
    assert back == rows and back is not rows
    assert all(type(r) is Transaction and all(type(p) is Party for p in r.parties) for r in back)
    assert unpack_transactions(bytes(bytearray(blob)), [41, 3, 59]) == [rows[41], rows[3], rows[59]]
    assert unpack_transactions(bytes(bytearray(blob)), []) == []
    assert len(unpack_plain(copy[1:])) == 60  # one marshalled row each


def test_transaction_blocks_fall_back_to_pickle_for_what_marshal_refuses():
    from transforms.packing import pack_transactions, unpack_transactions

    odd = _block(3) + [TX._replace(remittance_info=dt.date(2026, 11, 27))]  # not a type marshal takes
    assert unpack_transactions(bytes(bytearray(pack_transactions(odd)))) == odd
    assert unpack_transactions(bytes(bytearray(pack_transactions(odd))), [3]) == [odd[3]]
    assert unpack_transactions(bytes(bytearray(pack_transactions(["r0", "r1"])))) == ["r0", "r1"]  # not rows


def test_rows_asked_for_are_the_only_ones_read(monkeypatch):
    import marshal
    import types

    from transforms import packing

    blob = bytes(bytearray(packing.pack_transactions(_block(60))))
    read: list[object] = []
    counting = types.SimpleNamespace(dumps=marshal.dumps, loads=lambda data: read.append(bytes(data)) or marshal.loads(data))
    monkeypatch.setattr(packing, "marshal", counting)
    (row,) = packing.unpack_transactions(blob, [8])
    assert row.tx_id == "T8" and len(row.parties) == 2
    assert len(read) == 1 + 1  # the block's list, then that one row
    read.clear()
    assert len(packing.unpack_transactions(blob)) == 60
    assert len(read) == 1 + 60  # whole: every row once


def test_flat_records_pack_as_plain_tuples_and_fall_back_to_pickle():
    from watchlists.matcher import PartyQuery

    queries = [PartyQuery("Blue Sea", (("imo", "9187629"), ("bic", "ABNANL2A")), None, "NL"), PartyQuery(text="IMO 1")]
    blob = pack_rows(queries, nested=False)
    assert blob[:1] == b"M" and unpack_rows(bytes(bytearray(blob)), PartyQuery) == queries
    assert all(type(q) is PartyQuery for q in unpack_rows(blob, PartyQuery))
    odd = [PartyQuery("x", (("imo", "1"),), None, "NL", dt.date(2026, 1, 1))]  # not a type marshal takes
    assert pack_rows(odd, nested=False)[:1] == b"P" and unpack_rows(pack_rows(odd, nested=False), PartyQuery) == odd
