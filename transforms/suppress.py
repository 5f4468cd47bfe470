"""Suppression of reviewed false positives: the alert is still written, with status "suppressed".

One CSV per country, `<suppressions-dir>/<CC>.csv` (UTF-8, header row, any column order):

    party_key,entry_id,reviewer,reason,until[,list_source]
    3f0c9a1d2b7e4c55,C-004,j.devries,"same name, different company (KvK 12345678)",2027-06-30

`party_key` is `schemas.lookback.party_key(party_name, party_identifier)` of the alert (the
`party_key` column of `pipelines.analysis.load_alerts`); `until` is inclusive; an empty
`list_source` means the entry id in any list. A suppressed alert keeps every column, gets
`status = "suppressed"` and the reviewer, reason and date appended to its explanation, and is
counted in the manifest: nothing is dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from typing import Iterable, Mapping, Optional, Sequence

import apache_beam as beam
import pyarrow.parquet as pq

from schemas.lookback import Suppression, party_key
from schemas.records import Alert

REQUIRED = ("party_key", "entry_id", "reviewer", "reason", "until")
SUPPRESSED = "suppressed"


class SuppressionError(ValueError):
    """A suppression file that cannot be trusted (missing column, bad date, empty field)."""


def suppression_path(folder: str, country: str) -> str:
    return os.path.join(folder, f"{country}.csv")


def read_suppressions(path: str) -> list[Suppression]:
    """Every row of one suppression file; any bad row fails the whole file (fail closed)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [(h or "").strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SuppressionError(f"{path}: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        out = []
        for line, row in enumerate(reader, start=2):
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(values.values()):
                continue
            empty = [c for c in REQUIRED if not values.get(c)]
            if empty:
                raise SuppressionError(f"{path} line {line}: empty {', '.join(empty)}")
            try:
                until = dt.date.fromisoformat(values["until"]).isoformat()
            except ValueError:
                raise SuppressionError(f"{path} line {line}: until {values['until']!r} is not YYYY-MM-DD") from None
            out.append(Suppression(values["party_key"].lower(), values["entry_id"], values["reviewer"],
                                   values["reason"], until, values.get("list_source") or None))  # fmt: skip
        return out


class SuppressionIndex:
    """The suppressions in force on one business date, by (country, party key, entry id)."""

    def __init__(self, rules: Mapping[str, Iterable[Suppression]], business_date: str) -> None:
        self.business_date = business_date
        self._rules: dict[tuple[str, str, str], list[Suppression]] = {}
        for country, country_rules in rules.items():
            for rule in country_rules:
                if rule.until >= business_date:
                    self._rules.setdefault((country, rule.party_key, rule.entry_id), []).append(rule)

    def __len__(self) -> int:
        return sum(len(v) for v in self._rules.values())

    def rule_for(self, alert: Alert) -> Optional[Suppression]:
        """The suppression that covers this alert, or None."""
        key = (alert.country, party_key(alert.party_name, alert.party_identifier), alert.entry_id)
        for rule in self._rules.get(key, ()):
            if rule.list_source is None or rule.list_source == alert.list_source:
                return rule
        return None


def load_suppressions(folder: Optional[str], countries: Sequence[str], business_date: str) -> SuppressionIndex:
    """The index for a run: `<folder>/<CC>.csv` for each country that has one."""
    rules: dict[str, list[Suppression]] = {}
    for country in countries:
        path = suppression_path(folder, country) if folder else None
        if path and os.path.exists(path):
            rules[country] = read_suppressions(path)
    return SuppressionIndex(rules, business_date)


def suppress_alert(alert: Alert, index: SuppressionIndex) -> Alert:
    """The alert with status "suppressed" (and why) if a suppression covers it, else unchanged."""
    rule = index.rule_for(alert)
    if rule is None:
        return alert
    note = f"; suppressed by {rule.reviewer} until {rule.until}: {rule.reason}"
    return alert._replace(status=SUPPRESSED, explanation=alert.explanation + note)


def apply_suppressions(alerts: Iterable[Alert], index: SuppressionIndex) -> list[Alert]:
    return [suppress_alert(a, index) for a in alerts]


class ApplySuppressions(beam.PTransform):
    """Alerts → the same alerts, the reviewed false positives marked suppressed."""

    def __init__(self, index: SuppressionIndex) -> None:
        super().__init__()
        self._index = index

    def expand(self, alerts):
        return alerts | "MarkSuppressed" >> beam.Map(suppress_alert, self._index)


def status_counts(folder: str) -> dict[str, int]:
    """Alerts per status in an alert partition folder (every part-*.parquet), for the manifest."""
    counts: dict[str, int] = {}
    names = sorted(n for n in os.listdir(folder) if n.endswith(".parquet")) if os.path.isdir(folder) else []
    for name in names:
        path = os.path.join(folder, name)
        if "status" not in pq.read_schema(path).names:
            counts["open"] = counts.get("open", 0) + pq.ParquetFile(path).metadata.num_rows
            continue
        for value in pq.read_table(path, columns=["status"]).column("status").to_pylist():
            key = value or "open"
            counts[key] = counts.get(key, 0) + 1
    return counts
