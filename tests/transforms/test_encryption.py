"""Per-FIU Parquet encryption: the NL key opens NL alerts, not BE ones; partitions still prune."""

import base64
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.exceptions import InvalidTag

from schemas.arrow import ALERT_SCHEMA, to_table
from schemas.records import Alert
from transforms.encryption import decryption_properties, encryption_properties, load_keys, read_encrypted

KEYS = {"NL": base64.b64encode(b"n" * 32).decode(), "BE": base64.b64encode(b"b" * 32).decode()}


def _alert(country):
    values = {f: "x" for f in Alert._fields if f not in Alert._field_defaults}
    values.update(country=country, business_date="2026-11-27", source_row=1, tx_timestamp_us=0, amount=1.0, score=99.0)
    return Alert(**values)


def _write(root, country):
    folder = os.path.join(root, "alerts", f"country={country}", "business_date=2026-11-27")
    os.makedirs(folder)
    path = os.path.join(folder, "part-00000.parquet")
    props = encryption_properties(country, KEYS, ALERT_SCHEMA.names)
    pq.write_table(to_table([_alert(country)], Alert, ALERT_SCHEMA), path, encryption_properties=props)
    return path


def test_each_country_key_opens_only_its_own_alerts(tmp_path):
    nl, be = _write(str(tmp_path), "NL"), _write(str(tmp_path), "BE")
    table = pq.read_table(nl, decryption_properties=decryption_properties("NL", KEYS))
    assert table.column("alert_id").to_pylist() == ["x"]
    with pytest.raises((OSError, KeyError, pa.ArrowException, InvalidTag)):
        pq.read_table(be, decryption_properties=decryption_properties("NL", {"NL": KEYS["NL"], "BE": KEYS["NL"]}))
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(be)  # no key at all


def test_partition_pruning_reads_only_the_own_country_with_the_own_key(tmp_path):
    _write(str(tmp_path), "NL")
    _write(str(tmp_path), "BE")
    nl_only = {"NL": KEYS["NL"]}  # the BE key is not there: BE files must never be opened
    table = read_encrypted(str(tmp_path / "alerts"), "NL", nl_only, ALERT_SCHEMA)
    assert table.column("country").to_pylist() == ["NL"] and table.column("alert_id").to_pylist() == ["x"]
    with pytest.raises((OSError, KeyError, pa.ArrowException, InvalidTag)):
        read_encrypted(str(tmp_path / "alerts"), "BE", {"BE": KEYS["NL"]}, ALERT_SCHEMA).column("alert_id")


def test_keys_from_file_and_environment(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text('{"nl": "%s"}' % KEYS["NL"])
    keys = load_keys(str(path), {"FIU_SCREEN_KEY_BE": KEYS["BE"], "OTHER": "x"})
    assert keys == {"NL": KEYS["NL"], "BE": KEYS["BE"]}
    with pytest.raises(ValueError):
        load_keys(None, {"FIU_SCREEN_KEY_DE": base64.b64encode(b"short").decode()})
