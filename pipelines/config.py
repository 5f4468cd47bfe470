"""Run configuration: defaults a scheduler can override with `--config FILE.toml`.

```toml
threshold = 88           # name-match score (0-100) at which an alert fires
match_workers = 1        # rapidfuzz threads per screening worker
max_entry_drop = 0.30    # a list that lost more than this share of entries stops the run
[fius]                   # reporting countries and their FIUs (adds to / overrides the six)
PT = "UIF-PT"
[pins]                   # expected SHA-256 per --watchlist spec (of the file or the list version)
"ofac-xml:lists/sdn_advanced.xml.bz2" = "3f1c…"
```
"""

from __future__ import annotations

import tomllib
from typing import NamedTuple, Optional, Sequence

from pipelines.inputs import UsageError
from schemas.countries import FIUS, is_country_code
from watchlists.integrity import DEFAULT_MAX_ENTRY_DROP
from watchlists.matcher import DEFAULT_THRESHOLD


class RunConfig(NamedTuple):
    threshold: float = DEFAULT_THRESHOLD
    fius: dict[str, str] = dict(FIUS)
    match_workers: int = 1
    max_entry_drop: float = DEFAULT_MAX_ENTRY_DROP
    pins: dict[str, str] = {}

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self.fius)

    @classmethod
    def load(cls, path: Optional[str], threshold: Optional[float] = None) -> "RunConfig":
        """Defaults, then the TOML file, then --threshold; any bad value is a UsageError."""
        data: dict = {}
        if path:
            try:
                with open(path, "rb") as f:
                    data = tomllib.load(f)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise UsageError(f"--config {path!r}: {exc}") from None
        unknown = set(data) - {"threshold", "fius", "match_workers", "max_entry_drop", "pins"}
        if unknown:
            raise UsageError(f"--config {path!r}: unknown settings {sorted(unknown)}")
        fius = dict(FIUS)
        for code, fiu in dict(data.get("fius", {})).items():
            if not is_country_code(str(code)) or not isinstance(fiu, str):
                raise UsageError(f"--config {path!r}: [fius] needs CC = \"name\", got {code!r} = {fiu!r}")
            fius[str(code)] = fiu
        value = threshold if threshold is not None else data.get("threshold", DEFAULT_THRESHOLD)
        if not isinstance(value, (int, float)) or not 0 < float(value) <= 100:
            raise UsageError(f"threshold must be a number in (0, 100], got {value!r}")
        workers = data.get("match_workers", 1)
        if not isinstance(workers, int) or workers == 0 or workers < -1:
            raise UsageError(f"match_workers must be a positive integer or -1, got {workers!r}")
        drop = data.get("max_entry_drop", DEFAULT_MAX_ENTRY_DROP)
        if not isinstance(drop, (int, float)) or not 0 <= float(drop) <= 1:
            raise UsageError(f"max_entry_drop must be a share between 0 and 1, got {drop!r}")
        pins = data.get("pins", {})
        if not isinstance(pins, dict) or not all(isinstance(v, str) and len(v) == 64 for v in pins.values()):
            raise UsageError("[pins] must map watchlist specs to 64-hex-digit SHA-256 values")
        return cls(float(value), fius, workers, float(drop), dict(pins))


def encryption_keys(encrypt: bool, key_file: Optional[str], countries: Sequence[str]) -> Optional[dict[str, str]]:
    """Per-country master keys when --encrypt is given; a country without one is a usage error.

    Encryption is off by default; once asked for, nothing is written in plaintext.
    """
    if not encrypt:
        return None
    from transforms.encryption import load_keys

    try:
        keys = load_keys(key_file)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--encryption-keys: {exc}") from None
    missing = [c for c in countries if c not in keys]
    if missing:
        raise UsageError(f"--encrypt: no key for {', '.join(missing)} (key file or FIU_SCREEN_KEY_<CC>)")
    return keys
