"""Expectation configurations built once per validation (transforms.gx_configurations)."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from great_expectations.expectations.expectation import Expectation

from schemas.expectations import PROFILES, DateWindow, suite_for
from schemas.records import Party
from tests.transforms.test_validate import BTC, DATE, DAY_US, MIDNIGHT_US, bank_tx, crypto_tx
from transforms import gx_configurations
from transforms.validate import build_frame, runtime

RUN_SPECIFIC = ("batch_spec", "batch_markers", "active_batch_definition", "run_id", "validation_time")


def _rows(layout: str):
    if layout == "bank":
        txs = [bank_tx(1), bank_tx(2, currency="XYZ", amount=-3.0), bank_tx(3, tx_id="nl-1"),
               bank_tx(4, parties=(Party("originator", "\x07", "NL00ABNA0000000000", "NOTABIC"),
                                   Party("beneficiary", "Jansen"))),
               bank_tx(5, tx_timestamp_us=MIDNIGHT_US + 30 * DAY_US, remittance_info="x" * 1_001)]  # fmt: skip
        return PROFILES["bank"], txs, [None] * len(txs)
    txs = [crypto_tx(1), crypto_tx(2, address=BTC, asset="USDT"), crypto_tx(3, address="nonsense"),
           crypto_tx(4, asset="usd t")]  # fmt: skip
    return PROFILES["crypto"], txs, ["ethereum", "ethereum", None, None]


def _comparable(result: dict) -> dict:
    """A result without what differs from one validation to the next (batch and run ids)."""
    out = json.loads(json.dumps(result, default=str))
    out["meta"] = {k: v for k, v in out["meta"].items() if k not in RUN_SPECIFIC}
    for r in out["results"]:
        r["expectation_config"]["kwargs"].pop("batch_id", None)
    return out


@pytest.mark.parametrize("layout", ["bank", "crypto"])
def test_a_validation_gives_the_same_result_with_configurations_kept(layout, monkeypatch):
    profile, txs, networks = _rows(layout)
    frame = build_frame(txs, networks, profile.layout, DATE)
    kept = runtime().validate(frame, profile, DateWindow())
    monkeypatch.setattr(gx_configurations, "remembered", contextlib.nullcontext)  # GX's own, every read
    rebuilt = runtime().validate(frame, profile, DateWindow())
    assert not kept["success"] and sum(not r["success"] for r in kept["results"]) >= 2  # both passes ran
    assert _comparable(kept) == _comparable(rebuilt)


def test_inside_a_block_an_expectations_configuration_is_built_once():
    runtime()  # installs
    expectation = suite_for(PROFILES["crypto"]).expectations[0]
    assert expectation.configuration is not expectation.configuration  # GX's property: built on every read
    with gx_configurations.remembered():
        first = expectation.configuration
        assert expectation.configuration is first
        assert first.to_json_dict() == gx_configurations._GX_PROPERTY[0].fget(expectation).to_json_dict()
        with gx_configurations.remembered():  # nested: the same block
            assert expectation.configuration is first
    assert expectation.configuration is not first


def test_a_block_in_one_thread_keeps_nothing_for_another():
    runtime()
    expectation = suite_for(PROFILES["bank"]).expectations[0]
    seen = []
    with gx_configurations.remembered():
        first = expectation.configuration
        worker = threading.Thread(target=lambda: seen.append(expectation.configuration is first))
        worker.start()
        worker.join()
    assert seen == [False]


def test_install_is_once_and_leaves_a_changed_gx_alone(monkeypatch):
    assert gx_configurations.install() and gx_configurations.install()
    assert len(gx_configurations._GX_PROPERTY) == 1
    monkeypatch.setattr(gx_configurations, "_GX_PROPERTY", [])
    monkeypatch.setattr(Expectation, "configuration", "not a property")
    assert gx_configurations.install() is False
    assert Expectation.__dict__["configuration"] == "not a property"
