"""A small run output written without Beam, for the analysis, report, export and rescreen tests.

`write_day` does what the nightly run does for one business date with plain functions: screen
the transactions (Matcher + make_alerts), apply suppressions, and write alerts, quarantine,
the party store, the list snapshots and the manifests in the documented layout.
"""

from __future__ import annotations

from typing import Optional, Sequence

from pipelines.commit import write_json_atomic
from pipelines.manifest import build_manifest, manifest_path
from pipelines.rescreen import write_list_snapshot
from schemas.arrow import ALERT_SCHEMA, QUARANTINE_SCHEMA
from schemas.countries import DEFAULT_COUNTRIES, fiu_for
from schemas.lookback import PARTY_SCHEMA, PartyRow
from schemas.records import Alert, Party, QuarantineRow, Transaction
from transforms.parties import RunInfo, alert_sort_key, distinct_queries, make_alerts
from transforms.party_store import party_rows, party_sort_key
from transforms.suppress import SuppressionIndex, apply_suppressions
from transforms.write import PART_FILE, partition_dir, write_parquet
from watchlists.matcher import Matcher
from watchlists.spec import Watchlist

DAY_US = 86_400_000_000
BASE_US = 1_795_737_600_000_000  # 2026-11-27T00:00:00Z


def tx(country: str, tx_id: str, originator: str, beneficiary: str, *, date: str = "2026-11-27", row: int = 1,
       amount: float = 1000.0, currency: str = "EUR", source_file: str = "bank/payments.csv",
       remittance: Optional[str] = None, originator_account: Optional[str] = None,
       beneficiary_account: Optional[str] = None, beneficiary_country: Optional[str] = None) -> Transaction:  # fmt: skip
    """A bank transaction with two parties."""
    parties = (Party("originator", originator, originator_account, None, country),
               Party("beneficiary", beneficiary, beneficiary_account, None, beneficiary_country))  # fmt: skip
    return Transaction(country, date, "bank", source_file, row, tx_id, BASE_US + 3_600_000_000 * row, amount,
                       currency, parties, remittance, file_format="bank-csv")  # fmt: skip


def crypto_tx(country: str, tx_id: str, customer: str, address: str, *, row: int = 1, amount: float = 2.5,
              asset: str = "ETH", counterparty: Optional[str] = None) -> Transaction:  # fmt: skip
    parties = (Party("customer", customer, "cu-1", None, country),
               Party("counterparty", counterparty, None, None, None, address))  # fmt: skip
    return Transaction(country, "2026-11-27", "crypto", "crypto/exchange.jsonl", row, tx_id, BASE_US + row, amount,
                       asset, parties, file_format="crypto-jsonl")  # fmt: skip


def screen(transactions: Sequence[Transaction], lists: Sequence[Watchlist], run: RunInfo,
           threshold: float = 88.0) -> list[Alert]:  # fmt: skip
    """What ScreenParties does, without Beam: distinct queries once, then alerts joined back."""
    matcher = Matcher(lists, threshold=threshold)
    queries = sorted({q for t in transactions for q in distinct_queries(t)}, key=repr)
    found = {q: m for q, m in zip(queries, matcher.screen(queries)) if m}
    return sorted((a for t in transactions for a in make_alerts(t, found, run)), key=alert_sort_key)


def _file_entries(transactions: Sequence[Transaction], quarantine: Sequence[QuarantineRow]) -> list[dict]:
    files: dict[str, list[int]] = {}
    for t in transactions:
        files.setdefault(t.source_file, [0, 0])[0] += 1
    for q in quarantine:
        files.setdefault(q.source_file, [0, 0])[1] += 1
    return [{"path": p, "format": "bank-csv" if p.startswith("bank/") else "crypto-jsonl", "rows_read": s + n,
             "rows_screened": s, "rows_quarantined": n, "status": "ok"} for p, (s, n) in sorted(files.items())]  # fmt: skip


def write_day(root: str, business_date: str, transactions: Sequence[Transaction], lists: Sequence[Watchlist], *,
              quarantine: Sequence[QuarantineRow] = (), suppressions: Optional[SuppressionIndex] = None,
              countries: Sequence[str] = DEFAULT_COUNTRIES, threshold: float = 88.0) -> dict[str, dict]:  # fmt: skip
    """Write one business date's output for `countries`; returns the manifests by country."""
    run = RunInfo(f"run-{business_date}", "0.1.0")
    alerts = screen(transactions, lists, run, threshold)
    if suppressions is not None:
        alerts = apply_suppressions(alerts, suppressions)
    parties = party_rows(transactions)
    manifests = {}
    for cc in countries:
        mine = [a for a in alerts if a.country == cc]
        rows_q = [q for q in quarantine if q.country == cc]
        parts = (("alerts", mine, Alert, ALERT_SCHEMA, None),
                 ("quarantine", rows_q, QuarantineRow, QUARANTINE_SCHEMA,
                  {"run_id": run.run_id, "pipeline_version": run.pipeline_version}),
                 ("parties", sorted((p for p in parties if p.country == cc), key=party_sort_key), PartyRow,
                  PARTY_SCHEMA, None))  # fmt: skip
        for kind, rows, record, schema, extra in parts:
            write_parquet(f"{partition_dir(root, kind, cc, business_date)}/{PART_FILE}", rows, record, schema, extra)
        entries = _file_entries([t for t in transactions if t.country == cc], rows_q)
        manifest = build_manifest(cc, fiu_for(cc), business_date, run.run_id, run.pipeline_version, threshold, lists,
                                  entries, len(mine), len(rows_q), {"load_watchlists": 0.5, "pipeline": 2.25},
                                  {"finished_at": f"{business_date}T23:00:00Z"})  # fmt: skip
        manifest["totals"]["alerts_suppressed"] = sum(1 for a in mine if a.status == "suppressed")
        write_json_atomic(manifest_path(root, cc, business_date), manifest)
        manifests[cc] = manifest
    for wl in lists:
        write_list_snapshot(root, wl)
    return manifests


def demo_entries() -> list:
    """A small fictional coalition list (with one name written to test escaping)."""
    from schemas.records import Alias, Identifier, WatchlistEntry

    return [
        WatchlistEntry("C-001", "coalition", "organization", "Noordzee Bulk Shipping BV", (Alias("Noordzee Bulk"),),
                       ("NL",)),
        WatchlistEntry("C-002", "coalition", "vessel", "Marea Azul", (Alias("MV Marea Azul"),), ("PA",),
                       (Identifier("imo", "9187629"),)),
        WatchlistEntry("C-003", "coalition", "organization", "Transportes Rapidos del Sur SL", (), ("ES",),
                       (Identifier("crypto_address", "0x8589427373d6d84e98730d7795d8f6f8731fda16", "evm"),)),
        WatchlistEntry("C-666", "coalition", "organization", "<b>Evil</b> & =cmd|' /C calc'!A0 Trading", (), ("CY",)),
    ]  # fmt: skip


def demo_transactions() -> list[Transaction]:
    """A day for the six countries: hits in BE, FR, ES, NL (and one in IT), none in DE."""
    return [
        tx("NL", "nl-1", "Van Dijk Import BV", "Noordzee Bulk Shipping B.V.", row=1, amount=18250.0,
           originator_account="NL91ABNA0417164300", beneficiary_account="NL20INGB0001234567"),
        tx("NL", "nl-2", "Jansen Logistiek BV", "Albert Heijn BV", row=2, amount=980.5),
        tx("NL", "nl-3", "Van Dijk Import BV", "Oceanic Reefer Agency BV", row=3, amount=40100.0,
           remittance="freight MV Marea Azul IMO 9187629", originator_account="NL91ABNA0417164300"),
        tx("BE", "be-1", "Pieter Claes", "Noordzee Bulk", row=1, amount=5000.0, currency="USD"),
        tx("DE", "de-1", "Müller GmbH", "Schmidt KG", row=1),
        tx("FR", "fr-1", "Dupont SAS", "Noordzee Bulk Shipping", row=1, amount=100.0),
        tx("IT", "it-1", "Rossi SpA", "<b>Evil</b> & =cmd|' /C calc'!A0 Trading", row=1, amount=77.0),
        crypto_tx("ES", "es-1", "Ana Garcia", "0x8589427373D6D84E98730D7795D8F6F8731FDA16", row=1),
    ]  # fmt: skip
