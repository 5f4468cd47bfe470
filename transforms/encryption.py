"""Per-FIU encryption of Parquet files (optional, off by default).

Parquet modular encryption (pyarrow): every column except the partition keys is encrypted
with a data key wrapped by the country's master key, so only the holder of the NL key can
read NL alerts. The footer stays in plaintext, so the partition columns can still be read
and pruned without any key. Master keys come from a JSON key file ({"NL": "<base64 of 16,
24 or 32 bytes>", …}) or from the environment (FIU_SCREEN_KEY_NL=<base64>).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from typing import Mapping, Optional

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet.encryption as pe
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from schemas.arrow import PARTITION_COLUMNS

KEY_ENV_PREFIX = "FIU_SCREEN_KEY_"


class _LocalKms(pe.KmsClient):
    """Wraps data keys with AES-GCM under a master key held in this process (no KMS server)."""

    def __init__(self, config: pe.KmsConnectionConfig) -> None:
        pe.KmsClient.__init__(self)
        self._keys = {k: base64.b64decode(v) for k, v in config.custom_kms_conf.items()}

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self._master(master_key_identifier)).encrypt(nonce, key_bytes, master_key_identifier.encode())
        return base64.b64encode(nonce + sealed)

    def unwrap_key(self, wrapped_key: bytes, master_key_identifier: str) -> bytes:
        raw = base64.b64decode(wrapped_key)
        return AESGCM(self._master(master_key_identifier)).decrypt(raw[:12], raw[12:], master_key_identifier.encode())

    def _master(self, key_id: str) -> bytes:
        if key_id not in self._keys:
            raise KeyError(f"no key for {key_id}")
        return self._keys[key_id]


def load_keys(key_file: Optional[str] = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Country → base64 master key, from the key file and then the environment."""
    keys: dict[str, str] = {}
    if key_file:
        with open(key_file, encoding="utf-8") as f:
            keys.update({str(k).upper(): str(v) for k, v in json.load(f).items()})
    for name, value in environ.items():
        if name.startswith(KEY_ENV_PREFIX) and len(name) == len(KEY_ENV_PREFIX) + 2:
            keys[name[-2:].upper()] = value
    for country, value in keys.items():
        if len(base64.b64decode(value, validate=True)) not in (16, 24, 32):
            raise ValueError(f"the key for {country} must be base64 of 16, 24 or 32 bytes")
    return keys


def _factory() -> pe.CryptoFactory:
    return pe.CryptoFactory(lambda config: _LocalKms(config))


def encryption_properties(country: str, keys: Mapping[str, str], columns: list[str]):
    """File encryption properties for one country's partition (all but the partition keys)."""
    config = pe.EncryptionConfiguration(
        footer_key=country,
        column_keys={country: [c for c in columns if c not in PARTITION_COLUMNS]},
        plaintext_footer=True,
        double_wrapping=False,
        cache_lifetime=timedelta(minutes=5),
    )
    kms = pe.KmsConnectionConfig(custom_kms_conf={country: keys[country]})
    return _factory().file_encryption_properties(kms, config)


def decryption_properties(country: str, keys: Mapping[str, str]):
    """What an FIU passes to pyarrow to read its own encrypted partitions."""
    kms = pe.KmsConnectionConfig(custom_kms_conf={country: keys[country]})
    return _factory().file_decryption_properties(kms, pe.DecryptionConfiguration(cache_lifetime=timedelta(minutes=5)))


def read_encrypted(root: str, country: str, keys: Mapping[str, str], schema: pa.Schema) -> pa.Table:
    """One country's rows of an encrypted dataset: pruned by folder, so other countries'
    files (and keys) are never touched."""
    kms = pe.KmsConnectionConfig(custom_kms_conf={country: keys[country]})
    scan = ds.ParquetFragmentScanOptions(
        decryption_config=ds.ParquetDecryptionConfig(_factory(), kms, pe.DecryptionConfiguration()))
    partitioning = ds.partitioning(pa.schema([(c, pa.string()) for c in PARTITION_COLUMNS]), flavor="hive")
    dataset = ds.dataset(root, schema=schema, partitioning=partitioning,
                         format=ds.ParquetFileFormat(default_fragment_scan_options=scan))  # fmt: skip
    return dataset.to_table(filter=ds.field("country") == country)
