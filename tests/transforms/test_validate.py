"""Feed validation: the derived checks, the great-expectations suites, and how failures become
quarantine reasons (every failing expectation named, failing closed when GX cannot say)."""

from __future__ import annotations

import gc
import gzip
import json
import os
import weakref

import apache_beam as beam
import pandas as pd
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st

import transforms.read as read
from schemas.expectations import PROFILES, DateWindow, profile_for, suite_for
from schemas.records import FileStats, Party, QuarantineRow, Transaction
from transforms.feeds import FeedFile, FileContext
from transforms.packing import UnpackBlocks
from transforms.read import ReadFeeds, parse_file
from transforms.validate import address_fits_chain, build_frame, iban_valid, row_reasons, runtime, validate_rows
from watchlists.identifiers import crypto_chain

DATE = "2026-11-27"
MIDNIGHT_US = 1_795_737_600_000_000  # 2026-11-27T00:00:00Z
DAY_US = 86_400_000_000
ETH = "0x8589427373d6d84e98730d7795d8f6f8731fda16"
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
HEADER = "tx_id,booking_date,amount,currency,originator_name,originator_account,beneficiary_name,beneficiary_account\n"


def bank_tx(n: int = 1, **changes) -> Transaction:
    tx = Transaction("NL", DATE, "bank", "bank/p.csv", n, f"nl-{n}", MIDNIGHT_US, 100.0, "EUR", (
        Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300", "ABNANL2A", "NL"),
        Party("beneficiary", "Jansen Logistiek BV", "NL44RABO0123456789", "RABONL2U", "NL")), file_format="bank-csv")  # fmt: skip
    return tx._replace(**changes)


def crypto_tx(n: int = 1, address: str = ETH, asset: str = "USDT", **changes) -> Transaction:
    tx = Transaction("NL", DATE, "crypto", "crypto/x.csv", n, f"cx-{n}", MIDNIGHT_US, 5.0, asset, (
        Party("customer", "Pieter Claes", "cu-1", country="NL"),
        Party("counterparty", None, crypto_address=address)), file_format="crypto-csv")  # fmt: skip
    return tx._replace(**changes)


@pytest.mark.parametrize("account, expected", [
    (None, None), ("12345678", None), ("ACC-9", None),  # not IBAN-like: not judged
    ("NL91ABNA0417164300", True), ("nl91 abna 0417 1643 00", True), ("NL91-ABNA-0417-1643-00", True),
    ("NL02RABO0123456789", False), ("QQ12ABCD1234567890", False), ("NL91ABNA04171643", False),
])  # fmt: skip
def test_iban_valid_judges_only_iban_like_accounts(account, expected):
    assert iban_valid(account) is expected


@pytest.mark.parametrize("address, network, asset, expected", [
    (ETH, "ethereum", "USDT", True), (ETH, "bitcoin", "USDT", False), (ETH, None, "BTC", False),
    (BTC, None, "BTC", True), (BTC, "Bitcoin ", None, True), ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "tron", "USDT", True),
    (ETH, None, "NEWCOIN", None), (ETH, "somechain", None, None), ("not an address", "ethereum", "ETH", None),
])  # fmt: skip
def test_address_fits_chain_by_network_else_asset(address, network, asset, expected):
    assert address_fits_chain(address, network, asset) is expected


def test_the_frame_takes_each_roles_first_party_whatever_the_order():
    """Columns come from the first party in each role, in whatever order and number the
    parties of a row stand (worked out once per order of roles): checked against the plain
    per-row lookup."""
    from transforms.validate import BANK_ROLES, NOBODY, build_frame

    o, b = Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300", " abnanl2a ", "NL"), Party("beneficiary", "Jansen")
    uo, ub = Party("ultimate_originator", "Claes Holding"), Party("ultimate_beneficiary", "Noordzee", crypto_address=ETH)
    orders = [(o, b), (b, o), (o, b, uo, ub), (ub, b, uo), (o, o._replace(name="second"), b), (), (b,), (uo, o, ub, b)]
    txs = [bank_tx(i + 1, parties=parties) for i, parties in enumerate(orders * 3)]
    frame = build_frame(txs, [None] * len(txs), "bank", DATE)
    for tx, row in zip(txs, frame.to_dict("records")):
        first = {}
        for party in tx.parties:
            first.setdefault(party.role, party)
        for role in BANK_ROLES:
            assert (row[f"{role}_name"] if row[f"{role}_name"] is not pd.NA else None) == (
                first[role].name if role in first else None), (tx.parties, role)
        for side in ("originator", "beneficiary"):
            party = first.get(side, NOBODY)
            want = (party.account, party.bic.strip().upper() if party.bic else None, party.country)
            got = tuple(None if row[f"{side}_{c}"] is pd.NA else row[f"{side}_{c}"] for c in ("account", "bic", "country"))
            assert got == want, (tx.parties, side)


_PARTIES = [  # a few parties, some equal but separate objects, some in roles no layout reads
    Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300", " abnanl2a ", "NL"),
    Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300", " abnanl2a ", "NL"),
    Party("beneficiary", "Jansen", "NL02RABO0123456789", crypto_address=ETH),
    Party("ultimate_originator", "Claes Holding", crypto_address="not an address"),
    Party("ultimate_beneficiary", "Noordzee", crypto_address=BTC), Party("beneficiary", None, "ACC-9"),
    Party("customer", "Pieter Claes", "cu-1", country="NL"), Party("customer", None, None),
    Party("counterparty", None, crypto_address=ETH), Party("counterparty", "Exchange B", crypto_address=BTC),
    Party("counterparty", "", crypto_address=""), Party("witness", "Nobody Reads Me"),
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(range(len(_PARTIES))), max_size=5),
                          st.sampled_from([None, "ethereum", "bitcoin", " Tron"]),
                          st.sampled_from([None, "EUR", "BTC", "usdt"])), max_size=12),
       st.sampled_from(["bank", "crypto"]))  # fmt: skip
def test_the_frames_party_columns_are_each_rows_first_party_in_its_role(rows, layout):
    """The party columns are worked out once per distinct party and spread over the rows
    by position: each must be what the row's own first party in that role gives."""
    from transforms.validate import NOBODY

    txs = [bank_tx(i + 1, parties=tuple(_PARTIES[k] for k in picks), currency=asset)
           for i, (picks, _, asset) in enumerate(rows)]  # fmt: skip
    networks = [network for _, network, _ in rows]
    frame = build_frame(txs, networks, layout, DATE)
    assert len(frame) == len(txs)
    got = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for tx, network, row in zip(txs, networks, got):
        first: dict[str, Party] = {}
        for party in tx.parties:
            first.setdefault(party.role, party)
        if layout == "bank":
            for role in ("originator", "beneficiary", "ultimate_originator", "ultimate_beneficiary"):
                assert row[f"{role}_name"] == (first[role].name if role in first else None)
            for side in ("originator", "beneficiary"):
                p = first.get(side, NOBODY)
                assert row[f"{side}_account"] == p.account and row[f"{side}_country"] == p.country
                assert row[f"{side}_bic"] == (p.bic.strip().upper() if p.bic else None)
                assert row[f"{side}_address"] == p.crypto_address
                assert row[f"{side}_iban_valid"] == iban_valid(p.account)
                known = None if not p.crypto_address else crypto_chain(p.crypto_address.strip()) is not None
                assert row[f"{side}_address_known"] == known
                assert row[f"{side}_address_fits_chain"] == address_fits_chain(p.crypto_address, None, tx.currency)
        else:
            customer, counterparty = first.get("customer", NOBODY), first.get("counterparty", NOBODY)
            assert (row["customer_name"], row["customer_id"], row["customer_country"]) == (
                customer.name, customer.account, customer.country)
            assert (row["counterparty_name"], row["counterparty_address"]) == (counterparty.name, counterparty.crypto_address)
            assert row["counterparty_address_fits_chain"] == address_fits_chain(counterparty.crypto_address, network,
                                                                                tx.currency)  # fmt: skip


@pytest.mark.parametrize("file_format, source_type, profile", [
    ("bank-csv", "bank", "bank"), ("pacs.008", "bank", "bank"), ("camt.053", "bank", "bank_ids"), ("mt103", "bank", "bank_ids"),
    ("crypto-jsonl", "crypto", "crypto"), ("ivms101", "crypto", "travel_rule"), ("new-format", "crypto", "crypto"),
    ("new-format", "bank", "bank"),
])  # fmt: skip
def test_each_file_format_has_a_profile(file_format, source_type, profile):
    assert profile_for(file_format, source_type).name == profile


def test_suites_are_built_once_per_profile_and_window():
    assert suite_for(PROFILES["bank"]) is suite_for(PROFILES["bank"], DateWindow())
    assert suite_for(PROFILES["bank"], DateWindow(1, 0)) is not suite_for(PROFILES["bank"])
    with pytest.raises(ValueError):
        suite_for(PROFILES["bank"], DateWindow(-1, 0))


def test_a_clean_file_passes_and_gx_says_so():
    v = validate_rows([bank_tx(1), bank_tx(2)], [None, None], PROFILES["bank"], DATE)
    assert v.reasons == {}
    assert v.result["success"] is True and v.result["statistics"]["unsuccessful_expectations"] == 0
    assert "pandas_data_fingerprint" not in v.result["meta"]["batch_markers"]  # GX's hash of every row: skipped


def test_every_failing_expectation_of_a_row_is_named():
    bad = bank_tx(2, currency="XYZ", amount=-3.0, parties=(
        Party("originator", "Van Dijk Import BV", "NL91ABNA0417164300", "ABNANL2A", "NLD"),
        Party("beneficiary", None)))  # fmt: skip
    v = validate_rows([bank_tx(1), bad], [None, None], PROFILES["bank"], DATE)
    assert list(v.reasons) == [1]
    tags = sorted(part.rsplit("[", 1)[1] for part in v.reasons[1])
    assert tags == sorted([
        "expect_column_values_to_not_be_null(beneficiary_name)]", "expect_column_values_to_be_between(amount)]",
        "expect_column_values_to_be_in_set(currency)]", "expect_column_values_to_be_in_set(originator_country)]",
    ])  # fmt: skip
    assert "currency: not an ISO 4217 currency code: 'XYZ'" in " ".join(v.reasons[1])


@pytest.mark.parametrize("layout", ["bank", "crypto"])
def test_success_first_then_the_failures_gives_what_one_complete_run_gives(layout):
    """The suite runs for success only, then the failed expectations for their rows: the
    reasons, failing rows and counts are those of one COMPLETE run of the whole suite, and a
    passing expectation keeps GX's success-only result."""
    from transforms.validate import build_frame, runtime

    if layout == "bank":
        profile = PROFILES["bank"]
        txs = [bank_tx(1), bank_tx(2, currency="XYZ", amount=-3.0), bank_tx(3, tx_id="nl-1"),
               bank_tx(4, parties=(Party("originator", "\x07", "NL00ABNA0000000000", "NOTABIC"),
                                   Party("beneficiary", "Jansen"))),
               bank_tx(5, tx_timestamp_us=MIDNIGHT_US + 30 * DAY_US, remittance_info="x" * 1_001)]  # fmt: skip
        networks = [None] * len(txs)
    else:
        profile = PROFILES["crypto"]
        txs = [crypto_tx(1), crypto_tx(2, address=BTC, asset="USDT"), crypto_tx(3, address="nonsense"),
               crypto_tx(4, asset="usd t")]  # fmt: skip
        networks = ["ethereum", "ethereum", None, None]
    frame = build_frame(txs, networks, profile.layout, DATE)
    batch = runtime().batches.get_batch(batch_parameters={"dataframe": frame})
    whole = batch.validate(suite_for(profile), result_format={"result_format": "COMPLETE"}).to_json_dict()
    v = validate_rows(txs, networks, profile, DATE)
    assert len(v.reasons) >= 2 and v.reasons == row_reasons(whole, frame)
    assert v.result["statistics"] == whole["statistics"] and v.result["success"] is False
    assert [r["expectation_config"]["type"] for r in v.result["results"]] == [
        r["expectation_config"]["type"] for r in whole["results"]]
    for got, want in zip(v.result["results"], whole["results"]):
        assert got["success"] == want["success"]
        if got["success"]:
            assert got["result"] == {}  # counted only where something failed
        else:
            assert got["result"]["unexpected_index_list"] == want["result"]["unexpected_index_list"]
    assert "COMPLETE for the expectations that failed" in v.result["meta"]["result_format"]


def test_a_failed_expectation_not_found_again_runs_the_whole_suite_complete(monkeypatch):
    """Should an expectation that failed not be found for the second pass, the whole suite
    runs COMPLETE, as it did before the two passes: never a row failed for want of its rows."""
    import great_expectations as gx

    import transforms.validate as validate

    monkeypatch.setattr(validate, "_failed_suite", lambda *_: gx.ExpectationSuite(name="none_found"))
    bad = bank_tx(2, currency="XYZ", amount=-3.0)
    v = validate_rows([bank_tx(1), bad, bank_tx(3)], [None] * 3, PROFILES["bank"], DATE)
    assert list(v.reasons) == [1] and len(v.reasons[1]) == 2
    assert "result_format" not in v.result["meta"]
    assert all(r["result"].get("element_count") == 3 for r in v.result["results"] if "column" in
               r["expectation_config"]["kwargs"] and r["expectation_config"]["type"] != "expect_column_to_exist")


def test_a_mistyped_iban_or_bic_is_a_warning_and_the_row_is_still_screened():
    typo = bank_tx(2, parties=(Party("originator", "Van Dijk Import BV", "NL02RABO0123456789", "RABONL2", "NL"),
                               Party("beneficiary", "Jansen Logistiek BV")))  # fmt: skip
    v = validate_rows([bank_tx(1), typo], [None, None], PROFILES["bank"], DATE)
    assert v.reasons == {}
    failed = {r["expectation_config"]["kwargs"]["column"]: r["result"]["unexpected_index_list"]
              for r in v.result["results"] if not r["success"]}  # fmt: skip
    assert failed == {"originator_iban_valid": [1], "originator_bic": [1]}


def test_the_date_window_is_a_parameter():
    rows = [bank_tx(1, tx_timestamp_us=MIDNIGHT_US - DAY_US), bank_tx(2, tx_timestamp_us=MIDNIGHT_US - 2 * DAY_US),
            bank_tx(3, tx_timestamp_us=MIDNIGHT_US + DAY_US + 5), bank_tx(4, tx_timestamp_us=MIDNIGHT_US + DAY_US - 1)]
    narrow = validate_rows(rows, [None] * 4, PROFILES["bank"], DATE, DateWindow(days_before=1, days_after=0))
    assert sorted(narrow.reasons) == [1, 2]
    assert "more than 1 days before or 0 days after" in narrow.reasons[1][0]
    assert validate_rows(rows, [None] * 4, PROFILES["bank"], DATE).reasons == {}  # the default: 7 either side


def test_crypto_addresses_must_fit_the_network_given_in_the_feed():
    rows = [crypto_tx(1), crypto_tx(2), crypto_tx(3, address="hello")]
    v = validate_rows(rows, ["ethereum", "bitcoin", None], PROFILES["crypto"], DATE)
    assert sorted(v.reasons) == [1, 2]
    assert "address format does not fit the network or asset" in v.reasons[1][0]
    assert "not a known crypto address format: 'hello'" in v.reasons[2][0]


def test_travel_rule_messages_may_leave_out_amount_and_date_but_not_their_checks():
    parties = (Party("originator", "Pieter Claes", crypto_address=BTC), Party("beneficiary", "Marie Dubois"))
    rows = [crypto_tx(1, amount=None, tx_timestamp_us=None, asset="BTC", parties=parties),
            crypto_tx(2, asset="BTC", parties=(Party("originator", "Pieter Claes", crypto_address=ETH),)),
            crypto_tx(3, asset="bitcoin cash", parties=parties)]
    v = validate_rows(rows, [None] * 3, PROFILES["travel_rule"], DATE)
    assert sorted(v.reasons) == [1, 2]
    assert "originator_address: address format does not fit" in v.reasons[1][0]
    assert "not an asset symbol" in v.reasons[2][0]


def test_a_check_that_fails_as_a_whole_fails_every_row():
    result = {"results": [
        {"success": False, "expectation_config": {"type": "expect_column_to_exist", "kwargs": {"column": "tx_id"},
                                                  "meta": {"reason": "required column absent"}},
         "result": {}, "exception_info": {"raised_exception": False}},
        {"success": False, "expectation_config": {"type": "expect_column_values_to_be_in_set",
                                                  "kwargs": {"column": "currency"}, "meta": {}},
         "result": {}, "exception_info": {"raised_exception": True, "exception_message": "boom"}},
    ]}  # fmt: skip
    import pandas as pd

    reasons = row_reasons(result, pd.DataFrame({"tx_id": ["a", "b"]}))
    assert reasons == {i: ["tx_id: required column absent [expect_column_to_exist(tx_id)]",
                           "currency: boom [expect_column_values_to_be_in_set(currency)]"] for i in (0, 1)}  # fmt: skip


def _bank_file(tmp_path, body: str, name: str = "p.csv") -> FeedFile:
    folder = tmp_path / "NL" / "bank"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(HEADER + body, encoding="utf-8")
    return FeedFile(str(folder / name), FileContext("NL", DATE, "bank", f"bank/{name}"))


def test_validation_that_cannot_run_quarantines_every_row_and_fails_the_file(tmp_path, monkeypatch):
    feed = _bank_file(tmp_path, "a,2026-11-27,5,EUR,Van Dijk BV,,Jansen BV,\nb,2026-11-27,6,EUR,Van Dijk BV,,Jansen BV,\n")

    def broken(*_args, **_kwargs):
        raise RuntimeError("GX is down")

    monkeypatch.setattr(read, "validate_rows", broken)
    out = list(parse_file(feed))
    assert not [o for o in out if isinstance(o, Transaction)]
    rows = [o for o in out if isinstance(o, QuarantineRow)]
    assert [q.source_row for q in rows] == [1, 2, 0]
    assert all("validation could not run: RuntimeError: GX is down" in q.reason for q in rows)
    (stats,) = [o for o in out if isinstance(o, FileStats)]
    assert (stats.status, stats.rows_read, stats.rows_quarantined) == ("failed", 2, 2)


def test_read_feeds_splits_screened_quarantined_and_stats_and_writes_reports(tmp_path):
    feed = _bank_file(tmp_path, "a,2026-11-27,5,EUR,Van Dijk BV,,Jansen BV,\nb,2026-11-27,6,XYZ,Van Dijk BV,,Jansen BV,\n")
    reports = tmp_path / "reports"
    with TestPipeline() as p:
        out = p | ReadFeeds([feed], reports_dir=str(reports))
        assert_that(out.blocks | UnpackBlocks() | beam.Map(lambda t: t.tx_id), equal_to(["a"]), label="Screened")
        assert_that(out.quarantine | beam.Map(lambda q: (q.source_row, q.raw_record)),
                    equal_to([(2, "b,2026-11-27,6,XYZ,Van Dijk BV,,Jansen BV,")]), label="Quarantined")  # fmt: skip
        assert_that(out.stats | beam.Map(lambda s: (s.rows_read, s.rows_screened, s.rows_quarantined, s.status)),
                    equal_to([(2, 1, 1, "ok")]), label="Stats")  # fmt: skip
    assert sorted(os.listdir(reports / "country=NL")) == ["bank__p.csv.validation.html", "bank__p.csv.validation.json"]
    page = (reports / "country=NL" / "bank__p.csv.validation.html").read_text()
    assert "failed: 1; rows counted and listed for the failed expectations only" in page


def test_read_feeds_refuses_a_negative_window():
    with pytest.raises(ValueError):
        ReadFeeds([], window=DateWindow(-1, 7))


CRYPTO_HEADER = "tx_id,timestamp,asset,network,amount,direction,customer_id,customer_name,counterparty_address\n"


def test_each_crypto_row_is_checked_against_its_own_network_and_quarantined_with_its_text(tmp_path):
    """The reader gives each transaction's network beside it: a row the reader rejects in
    between shifts nothing, and a failing row is quarantined with its line as written."""
    folder = tmp_path / "NL" / "crypto"
    folder.mkdir(parents=True)
    lines = [f"c1,2026-11-27T10:00:00Z,USDT,ethereum,5,out,cu-1,Pieter Claes,{ETH}",
             f"c2,2026-11-27T10:00:00Z,USDT,ethereum,5,sideways,cu-1,Pieter Claes,{ETH}",  # the reader rejects it
             f"c3,2026-11-27T10:00:00Z,USDT,bitcoin,5,out,cu-1,Pieter Claes,{ETH}",  # fails: not a bitcoin address
             f"c4,2026-11-27T10:00:00Z,BTC,bitcoin,5,out,cu-1,Pieter Claes,{BTC}"]  # fmt: skip
    (folder / "x.csv").write_text(CRYPTO_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    feed = FeedFile(str(folder / "x.csv"), FileContext("NL", DATE, "crypto", "crypto/x.csv"))
    rows = read.read_rows(feed)
    assert [(tx.tx_id, n) for tx, n in zip(rows.transactions, rows.networks)] == [
        ("c1", "ethereum"), ("c3", "bitcoin"), ("c4", "bitcoin")]
    out = list(parse_file(feed))
    assert [o.tx_id for o in out if isinstance(o, Transaction)] == ["c1", "c4"]
    quarantined = {q.source_row: q for q in out if isinstance(q, QuarantineRow)}
    assert sorted(quarantined) == [2, 3]
    assert "address format does not fit the network or asset" in quarantined[3].reason
    assert quarantined[3].raw_record == lines[2]


def test_a_failing_row_before_a_break_keeps_its_text(tmp_path):
    """A gzip JSON-lines file cut short: the rows before the break are screened or quarantined
    as usual (a failing one with its line as written), and the file fails."""
    folder = tmp_path / "NL" / "crypto"
    folder.mkdir(parents=True)
    good = {"tx_id": "j1", "timestamp": "2026-11-27T10:00:00Z", "asset": "USDT", "network": "ethereum", "amount": 5,
            "direction": "out", "customer_id": "cu-1", "customer_name": "Pieter Claes", "counterparty_address": ETH}  # fmt: skip
    bad = {**good, "tx_id": "j2", "network": "bitcoin"}
    lines = [json.dumps(good), json.dumps(bad)] + [json.dumps({**good, "tx_id": f"k{i}"}) for i in range(2000)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    (folder / "x.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    out = list(parse_file(FeedFile(str(folder / "x.jsonl.gz"), FileContext("NL", DATE, "crypto", "crypto/x.jsonl.gz"))))
    (stats,) = [o for o in out if isinstance(o, FileStats)]
    assert stats.status == "failed"
    quarantined = {q.source_row: q for q in out if isinstance(q, QuarantineRow)}
    assert quarantined[2].raw_record == lines[1]
    assert "address format does not fit the network or asset" in quarantined[2].reason
    assert [o.tx_id for o in out if isinstance(o, Transaction)][:2] == ["j1", "k0"]


@pytest.mark.parametrize("currency", ["EUR", "EURO"])  # every row passes / one fails (a second, detailed pass)
def test_gx_lets_go_of_the_frame_it_validated(currency):
    """GX's engine kept the last frame it validated until the next validation: after a worker's
    last file, that frame stayed in memory through every later stage of the run."""
    rows = [bank_tx(1), bank_tx(2, currency=currency)]
    frame = build_frame(rows, [None] * 2, "bank", DATE)
    alive = weakref.ref(frame)
    result = runtime().validate(frame, PROFILES["bank"], DateWindow())
    assert result["success"] is (currency == "EUR")
    del frame
    gc.collect()
    assert alive() is None
