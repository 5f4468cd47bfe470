"""Re-screening past parties when a list changes: `fiu-screen rescreen`.

For each country and business date of the last N days, the lists given are compared with the
versions the stored run recorded (its manifest, plus earlier re-screens). Where a list changed,
the stored parties (the party store) are screened against only the entries added or changed
since that version (per-entry fingerprints from the list snapshot; the whole list when no
snapshot of the old version exists), with the word weights of the full lists, so a name scores
exactly as in a full run. New alerts are written beside the nightly file as
`alerts/country=CC/business_date=D/part-lookback-<tag>.parquet` with `lookback = true`; their
`watchlist_version` is the list version that caused them. The manifest gets a `lookback` record,
so a second rescreen with the same lists does nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from typing import Any, NamedTuple, Optional, Sequence

import pyarrow.parquet as pq

from pipelines.analysis import business_dates, load_manifests
from pipelines.commit import write_json_atomic
from pipelines.manifest import manifest_path
from schemas.arrow import ALERT_SCHEMA
from schemas.lookback import LIST_ENTRY_SCHEMA, ListEntryFingerprint, PartyOccurrence, PartyRow
from schemas.records import Alert
from schemas.version import PIPELINE_VERSION
from transforms.parties import RunInfo, alert_sort_key, distinct_queries, make_alerts
from transforms.party_store import party_transactions
from transforms.suppress import SuppressionIndex, load_suppressions, suppress_alert
from transforms.write import PART_FILE, partition_dir, write_parquet
from watchlists.changes import EntryKey, changed_entries, fingerprints, name_weights
from watchlists.matcher import Matcher
from watchlists.scoring import TokenWeights
from watchlists.spec import Watchlist

EXIT_OK, EXIT_PARTIAL = 0, 3
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class Outcome(NamedTuple):
    """What re-screening did for one country and date."""

    country: str
    business_date: str
    status: str  # rescreened | up to date | no party store
    parties: int = 0
    entries: int = 0  # entries screened against (added or changed)
    alerts: int = 0
    suppressed: int = 0


def snapshot_path(output_root: str, version: str) -> str:
    return os.path.join(output_root, "watchlists", f"version={version}", "entries.parquet")


def write_list_snapshot(output_root: str, wl: Watchlist) -> str:
    """Keep the entry fingerprints of a list version (once per version; the nightly run calls this too)."""
    path = snapshot_path(output_root, wl.version)
    if not os.path.exists(path):
        write_parquet(path, fingerprints(wl.entries), ListEntryFingerprint, LIST_ENTRY_SCHEMA)
    return path


def read_list_snapshot(output_root: str, version: str) -> Optional[dict[EntryKey, str]]:
    path = snapshot_path(output_root, version)
    if not os.path.exists(path):
        return None
    t = pq.read_table(path).to_pydict()
    return {(s, e): f for s, e, f in zip(t["list_source"], t["entry_id"], t["fingerprint"])}


def _counterpart(wl: Watchlist, recorded: Sequence[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The recorded list a given list replaces: the same spec, else the only one of its format."""
    same = [r for r in recorded if r.get("spec") == wl.spec]
    if same:
        return same[-1]
    fmt = [r for r in recorded if r.get("format") == wl.format]
    return fmt[0] if len(fmt) == 1 else None


def recorded_lists(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The list versions a partition reflects: the run's, updated by its re-screens in order."""
    current = [dict(r) for r in manifest.get("watchlists", [])]
    for record in manifest.get("lookback", []):
        for wl in record.get("watchlists", []):
            probe = Watchlist(wl["spec"], wl.get("format", ""), "", wl["version"], ())
            old = _counterpart(probe, current)
            if old is not None:
                current.remove(old)
            current.append({k: wl[k] for k in ("spec", "format", "version") if k in wl})
    return current


def _tag(changes: Sequence[tuple[Watchlist, Optional[str]]]) -> str:
    text = "|".join(sorted(f"{wl.version}<{prev or ''}" for wl, prev in changes))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _read_parties(output_root: str, country: str, business_date: str) -> Optional[list[PartyRow]]:
    path = os.path.join(partition_dir(output_root, "parties", country, business_date), PART_FILE)
    if not os.path.exists(path):
        return None
    rows = []
    for r in pq.read_table(path).to_pylist():
        occurrences = tuple(PartyOccurrence(o["source_type"], o["source_file"], o["source_row"], o["tx_id"],
                                            _micros(o["tx_timestamp"]), o["party_role"])
                            for o in r.pop("occurrences"))  # fmt: skip
        rows.append(PartyRow(**r, occurrences=occurrences))
    return rows


def _micros(ts: Optional[dt.datetime]) -> Optional[int]:
    return None if ts is None else (ts - _EPOCH) // dt.timedelta(microseconds=1)


def _existing_keys(folder: str, skip: str) -> set[tuple]:
    """(source_file, source_row, party_role, list_source, entry_id) of the alerts already written."""
    keys: set[tuple] = set()
    cols = ["source_file", "source_row", "party_role", "list_source", "entry_id"]
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".parquet") and name != skip:
            t = pq.read_table(os.path.join(folder, name), columns=cols).to_pydict()
            keys.update(zip(*(t[c] for c in cols)))
    return keys


class Rescreener:
    """Matchers over the changed entries, built once per (change set, threshold) and reused."""

    def __init__(self, output_root: str, lists: Sequence[Watchlist]) -> None:
        self.output_root = output_root
        self.lists = list(lists)
        self._weights: Optional[TokenWeights] = None
        self._matchers: dict[tuple, tuple[Matcher, int]] = {}

    def matcher(self, changes: Sequence[tuple[Watchlist, Optional[str]]], threshold: float) -> tuple[Matcher, int]:
        key = (tuple((wl.version, prev) for wl, prev in changes), threshold)
        if key not in self._matchers:
            if self._weights is None:
                self._weights = name_weights(self.lists)
            subsets = []
            for wl, prev in changes:
                baseline = read_list_snapshot(self.output_root, prev) if prev else {}
                entries = list(wl.entries) if baseline is None else changed_entries(baseline, wl.entries)
                subsets.append(wl._replace(entries=tuple(entries)))
            matcher = Matcher(subsets, threshold=threshold, weights=self._weights)
            self._matchers[key] = (matcher, sum(len(s.entries) for s in subsets))
        return self._matchers[key]


def lookback_alerts(parties: Sequence[PartyRow], matcher: Matcher, run: RunInfo) -> list[Alert]:
    """Alerts of stored parties against a matcher, marked lookback (the same ids a full run gives).

    A row's queries depend on the party only, so they come from its first occurrence; every
    occurrence is expanded only for the few rows that matched.
    """
    firsts = [party_transactions(row._replace(occurrences=row.occurrences[:1])) for row in parties]
    per_row = [list(distinct_queries(txs[0])) if txs else [] for txs in firsts]
    queries = sorted({q for qs in per_row for q in qs}, key=repr)
    found = {q: m for q, m in zip(queries, matcher.screen(queries)) if m} if queries else {}
    alerts: list[Alert] = []
    for row, qs in zip(parties, per_row):
        if any(q in found for q in qs):
            for tx in party_transactions(row):
                alerts += make_alerts(tx, found, run)
    return [a._replace(lookback=True) for a in alerts]


def rescreen_partition(rs: Rescreener, manifest: dict[str, Any], threshold: Optional[float],
                       suppressions: SuppressionIndex) -> Outcome:  # fmt: skip
    """Re-screen one country and date if a given list changed since its recorded version."""
    country, day = manifest["country"], manifest["business_date"]
    recorded = recorded_lists(manifest)
    changes: list[tuple[Watchlist, Optional[str]]] = []
    for wl in rs.lists:
        old = _counterpart(wl, recorded)
        if old is None or old["version"] != wl.version:
            changes.append((wl, old["version"] if old else None))
    if not changes:
        return Outcome(country, day, "up to date")
    parties = _read_parties(rs.output_root, country, day)
    if parties is None:
        return Outcome(country, day, "no party store")
    matcher, n_entries = rs.matcher(changes, threshold or float(manifest.get("threshold", 88.0)))
    tag = _tag(changes)
    run_id = hashlib.sha256(f"{tag}|{country}|{day}".encode()).hexdigest()[:20]
    run = RunInfo(run_id, PIPELINE_VERSION, ((country, manifest.get("fiu", "")),) if manifest.get("fiu") else ())
    folder = partition_dir(rs.output_root, "alerts", country, day)
    file_name = f"part-lookback-{tag}.parquet"
    existing = _existing_keys(folder, file_name)
    alerts = [suppress_alert(a, suppressions) for a in lookback_alerts(parties, matcher, run)
              if (a.source_file, a.source_row, a.party_role, a.list_source, a.entry_id) not in existing]  # fmt: skip
    alerts.sort(key=alert_sort_key)
    if alerts:
        write_parquet(os.path.join(folder, file_name), alerts, Alert, ALERT_SCHEMA)
    suppressed = sum(1 for a in alerts if a.status == "suppressed")
    record = {
        "run_id": run_id, "file": file_name if alerts else None,
        "rescreened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "watchlists": [{"spec": wl.spec, "format": wl.format, "version": wl.version, "previous_version": prev}
                       for wl, prev in changes],
        "entries_screened": n_entries, "parties": len(parties), "alerts": len(alerts), "alerts_suppressed": suppressed,
    }  # fmt: skip
    updated = dict(manifest, lookback=list(manifest.get("lookback", [])) + [record])
    write_json_atomic(manifest_path(rs.output_root, country, day), updated)
    return Outcome(country, day, "rescreened", len(parties), n_entries, len(alerts), suppressed)


def last_days(output_root: str, days: int, business_date: Optional[str]) -> list[str]:
    """The business dates with manifests among the `days` days ending at business_date (default: the latest)."""
    known = business_dates(output_root)
    if not known:
        return []
    end = dt.date.fromisoformat(business_date or known[-1])
    window = {(end - dt.timedelta(days=i)).isoformat() for i in range(days)}
    return [d for d in known if d in window]


def rescreen(output_root: str, lists: Sequence[Watchlist], days: int, business_date: Optional[str] = None,
             threshold: Optional[float] = None, suppressions_dir: Optional[str] = None,
             countries: Optional[Sequence[str]] = None) -> list[Outcome]:  # fmt: skip
    """Re-screen the stored parties of the last `days` business dates; one Outcome per country and date."""
    rs = Rescreener(output_root, lists)
    outcomes = []
    for day in last_days(output_root, days, business_date):
        manifests = [m for m in load_manifests(output_root, day) if not countries or m["country"] in countries]
        index = load_suppressions(suppressions_dir, [m["country"] for m in manifests], day)
        for manifest in manifests:
            outcomes.append(rescreen_partition(rs, manifest, threshold, index))
    for wl in lists:  # the baseline for the next change
        write_list_snapshot(output_root, wl)
    return outcomes


def summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    head = f"{'date':<12}{'country':<9}{'parties':>9}{'entries':>9}{'alerts':>8}{'suppr.':>8}  status"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(f"{o.business_date:<12}{o.country:<9}{o.parties:>9}{o.entries:>9}{o.alerts:>8}{o.suppressed:>8}"
                     f"  {o.status}")  # fmt: skip
    total = sum(o.alerts for o in outcomes)
    lines.append(f"{total} lookback alert(s) in {len(outcomes)} partition(s), {seconds:.1f}s")
    return "\n".join(lines)


def exit_code(outcomes: Sequence[Outcome], out=sys.stdout) -> int:
    missing = [o for o in outcomes if o.status == "no party store"]
    for o in missing:
        print(f"warning: {o.country} {o.business_date} has no party store; not re-screened", file=out)
    return EXIT_PARTIAL if missing else EXIT_OK
