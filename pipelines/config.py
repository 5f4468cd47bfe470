"""Run configuration: defaults a scheduler can override with `--config FILE.toml`.

```toml
threshold = 88           # name-match score (0-100) at which an alert fires
match_workers = 1        # rapidfuzz threads per screening worker
[fius]                   # reporting countries and their FIUs (adds to / overrides the six)
PT = "UIF-PT"
```
"""

from __future__ import annotations

import tomllib
from typing import NamedTuple, Optional

from pipelines.inputs import UsageError
from schemas.countries import FIUS, is_country_code
from watchlists.matcher import DEFAULT_THRESHOLD


class RunConfig(NamedTuple):
    threshold: float = DEFAULT_THRESHOLD
    fius: dict[str, str] = dict(FIUS)
    match_workers: int = 1

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
        unknown = set(data) - {"threshold", "fius", "match_workers"}
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
        return cls(float(value), fius, workers)
