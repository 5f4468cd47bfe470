"""`fiu-screen generate`: synthetic feeds for one business date, with planted watchlist hits.

Writes DESIGN §3's input layout under `<output_root>/<date>/<CC>/` (bank CSV, pacs.008 XML,
crypto CSV and JSONL) and `<output_root>/<date>/ground_truth.csv`, one row per planted hit.
Rows are generated and written one at a time (constant memory apart from the party pools);
the same arguments give the same bytes. `transactions` is the total over all countries.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import random
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import accumulate
from math import exp
from typing import IO, Any, Callable, NamedTuple, cast

from pipelines.generate_crypto import CryptoRows
from pipelines.generate_hits import Hit, HitPlanter
from pipelines.generate_names import (
    SUPPORTED_COUNTRIES,
    SynthParty,
    party_pool,
    remittance,
)
from pipelines.generate_pacs008 import write_pacs008
from schemas.records import WatchlistEntry

BANK_CSV_COLUMNS = (
    "tx_id", "booking_date", "value_date", "amount", "currency", "originator_name",
    "originator_account", "originator_bic", "originator_country", "beneficiary_name",
    "beneficiary_account", "beneficiary_bic", "beneficiary_country", "remittance_info",
    "reporting_entity", "ultimate_originator_name", "ultimate_beneficiary_name",
)
CRYPTO_COLUMNS = (
    "tx_id", "timestamp", "asset", "network", "amount", "direction", "customer_id",
    "customer_name", "customer_country", "counterparty_address", "counterparty_name",
    "counterparty_vasp", "tx_hash", "amount_eur",
)
TRUTH_COLUMNS = ("country", "source_file", "tx_id", "party_role", "entry_id", "list_source",
                 "kind", "variant", "planted_value")
# (file, share of a country's transactions, tx_id letter, hit kinds it can carry)
FEEDS = (
    ("bank/payments.csv", 0.55, "B", ("name", "imo")),
    ("bank/pacs008.xml", 0.25, "P", ("name", "imo")),
    ("crypto/exchange.csv", 0.12, "C", ("name", "crypto_address")),
    ("crypto/exchange.jsonl", 0.08, "J", ("name", "crypto_address")),
)
HIT_RATES = {"name": 0.01, "imo": 0.0125, "crypto_address": 0.05}  # each ≈1% of all transactions
MIN_HITS_PER_FILE = 2
POOL_SHARE, POOL_MIN, POOL_MAX = 0.1, 50, 100_000
# bank roles → column in the bank row list (the CSV column order)
BANK_ROLE_COLUMNS = {"originator": 5, "beneficiary": 9, "ultimate_originator": 15,
                     "ultimate_beneficiary": 16, "remittance": 13}
_BANK_NAME_ROLES = (("beneficiary", 0.45), ("originator", 0.3), ("ultimate_beneficiary", 0.15),
                    ("ultimate_originator", 0.1))
_CRYPTO_NAME_ROLES = (("counterparty", 0.75), ("customer", 0.25))


class GenerateSummary(NamedTuple):
    files: tuple[str, ...]  # every file written, truth included
    transactions: dict[str, int]  # per country
    planted: dict[str, int]  # planted hits by kind
    truth_path: str


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _plan(rng: random.Random, rows: int, kinds: Sequence[str]) -> dict[int, str]:
    """Row positions (0-based) that carry a planted hit, and of which kind."""
    wanted = [k for k in kinds for _ in range(max(MIN_HITS_PER_FILE, round(rows * HIT_RATES[k])))]
    if len(wanted) > rows:
        rng.shuffle(wanted)
        wanted = wanted[:rows]
    return dict(zip(rng.sample(range(rows), len(wanted)), wanted))


def _role(rng: random.Random, roles: Sequence[tuple[str, float]]) -> str:
    r = rng.random()
    for role, share in roles:
        if r < share:
            return role
        r -= share
    return roles[-1][0]


@contextlib.contextmanager
def _atomic_text(path: str, compress: bool) -> Iterator[IO[str]]:
    """A UTF-8 text stream that appears at `path` only when closed without error."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb", buffering=1 << 20) as raw:
            binary: IO[bytes] = raw
            if compress:  # mtime=0 and no file name in the header: same bytes every run
                binary = cast(IO[bytes], gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                       compresslevel=6, mtime=0))
            with io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
                yield text
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class _Country:
    """One country's generation state: its parties, wallets and the truth rows it emits."""

    def __init__(self, cc: str, business_date: str, seed: int, n: int,
                 planter: HitPlanter, truth: Callable[[Sequence[str]], Any]) -> None:
        self.cc, self.date, self.seed = cc, business_date, seed
        self.planter, self.truth = planter, truth
        self.next_date = (date.fromisoformat(business_date) + timedelta(days=1)).isoformat()
        size = min(POOL_MAX, max(POOL_MIN, int(n * POOL_SHARE)))
        self.domestic, self.pool = party_pool(self.rng("parties"), cc, size)
        self.crypto = CryptoRows(self.rng("wallets"), cc, self.domestic, self.pool, size // 5)
        self.planted: dict[str, int] = {}

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per country and purpose (str seeds hash stably)."""
        return random.Random(f"{self.seed}|{self.cc}|{stream}")

    def record(self, source_file: str, tx_id: str, role: str, hit: Hit) -> None:
        e = hit.entry
        self.truth((self.cc, source_file, tx_id, role, e.entry_id, e.list_source,
                             hit.kind, hit.variant, hit.value))
        self.planted[hit.kind] = self.planted.get(hit.kind, 0) + 1

    def bank_rows(self, rng: random.Random, source_file: str, letter: str, rows: int,
                  plan: dict[int, str], eur_only: bool) -> Iterator[list[str]]:
        """Bank transactions as lists in BANK_CSV_COLUMNS order, hits planted."""
        r, gauss = rng.random, rng.gauss
        cc, day, next_day, dom, pool = self.cc, self.date, self.next_date, self.domestic, self.pool
        nd, npool = len(dom), len(pool)
        for i in range(rows):
            tx_id = f"{cc}-{letter}-{i + 1:06d}"
            o: SynthParty
            if r() < 0.75:  # outgoing: reported by the originator's bank
                o, b = dom[int(r() * nd)], pool[int(r() * npool)]
                reporter = o.bank
            else:
                o, b = pool[int(r() * npool)], dom[int(r() * nd)]
                reporter = b.bank
            amount = min(exp(7.0 + 1.6 * gauss()), 4_999_999.0)
            if r() < 0.15:
                amount = max(100.0, round(amount, -2))
            currency = "EUR"
            if not eur_only and r() < 0.07:
                currency = "USD" if r() < 0.7 else "GBP"
            row = [tx_id, day, day if r() < 0.9 else next_day, f"{amount:.2f}", currency,
                   o.name, o.account, o.bic, o.country, b.name, b.account, b.bic, b.country,
                   remittance(rng, cc), reporter,
                   pool[int(r() * npool)].name if r() < 0.04 else "",
                   pool[int(r() * npool)].name if r() < 0.04 else ""]
            kind = plan.get(i)
            if kind is not None:
                hit = self.planter.hit(rng, kind)
                role = "remittance" if kind == "imo" else _role(rng, _BANK_NAME_ROLES)
                row[BANK_ROLE_COLUMNS[role]] = hit.text
                self.record(source_file, tx_id, role, hit)
            yield row

    def crypto_rows(self, rng: random.Random, source_file: str, letter: str, rows: int,
                    plan: dict[int, str]) -> Iterator[list[str]]:
        """Crypto exchange transactions in CRYPTO_COLUMNS order, hits planted."""
        for i, row in enumerate(self.crypto.rows(rng, self.date, letter, rows)):
            kind = plan.get(i)
            if kind is not None:
                hit = self.planter.hit(rng, kind)
                role = "counterparty"
                if kind == "crypto_address":
                    self.crypto.set_counterparty(rng, row, hit)
                elif _role(rng, _CRYPTO_NAME_ROLES) == "customer":
                    role = "customer"
                    row[6], row[7] = f"{self.cc}K{i + 1:07d}", hit.text
                else:
                    row[10] = hit.text
                self.record(source_file, row[0], role, hit)
            yield row

    def write_feed(self, out: IO[str], feed: str, source_file: str, letter: str, rows: int,
                   kinds: Sequence[str]) -> None:
        """Write one feed file; its random stream depends on the feed, not on compression."""
        rng = self.rng(feed)
        plan = _plan(rng, rows, [k for k in kinds if k in self.planter.kinds])
        if feed.endswith(".xml"):
            bank = self.bank_rows(rng, source_file, letter, rows, plan, eur_only=True)
            write_pacs008(out, self.rng(feed + "|ids"), self.cc, self.date, rows, bank)
        elif feed.startswith("bank/"):
            bank = self.bank_rows(rng, source_file, letter, rows, plan, eur_only=False)
            _write_csv(out, BANK_CSV_COLUMNS, bank)
        elif feed.endswith(".jsonl"):
            _write_jsonl(out, self.crypto_rows(rng, source_file, letter, rows, plan))
        else:
            _write_csv(out, CRYPTO_COLUMNS, self.crypto_rows(rng, source_file, letter, rows, plan))


def _write_csv(out: IO[str], header: Sequence[str], rows: Iterator[list[str]]) -> None:
    """RFC 4180 CSV, byte-identical to csv.writer (QUOTE_MINIMAL, CRLF) but about 5× faster:
    a plain join for rows that need no quoting, csv.writer for the rare rest."""
    spare = io.StringIO()
    writer = csv.writer(spare)
    writer.writerow(header)
    commas = len(header) - 1
    chunk: list[str] = [spare.getvalue()]
    for row in rows:
        line = ",".join(row)
        if line.count(",") != commas or '"' in line or "\n" in line or "\r" in line:
            spare.seek(0)
            spare.truncate()
            writer.writerow(row)
            chunk.append(spare.getvalue())
        else:
            chunk.append(line + "\r\n")
        if len(chunk) >= 4096:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


_JSON_KEYS = tuple(("{" if i == 0 else ", ") + f'"{k}": ' for i, k in enumerate(CRYPTO_COLUMNS))
_JSON_NUMBERS = frozenset(i for i, k in enumerate(CRYPTO_COLUMNS) if k in ("amount", "amount_eur"))


def _write_jsonl(out: IO[str], rows: Iterator[list[str]]) -> None:
    """One JSON object a line, keys in CRYPTO_COLUMNS order; amounts as JSON numbers with the
    CSV's decimals, empty optional fields as null."""
    quote = json.encoder.encode_basestring  # the C escaper; keeps non-ASCII as is
    chunk: list[str] = []
    for row in rows:
        values = [v if i in _JSON_NUMBERS else (quote(v) if v else "null")
                  for i, v in enumerate(row)]
        chunk.append("".join([k + v for k, v in zip(_JSON_KEYS, values)]) + "}\n")
        if len(chunk) >= 4096:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


def _check_args(business_date: str, countries: Sequence[str], transactions: int) -> None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", business_date):
        raise ValueError(f"business_date must be YYYY-MM-DD, got {business_date!r}")
    date.fromisoformat(business_date)
    if not countries:
        raise ValueError("no countries given")
    unknown = [c for c in countries if c not in SUPPORTED_COUNTRIES]
    if unknown:
        raise ValueError(f"no synthetic data for {unknown}; supported: {SUPPORTED_COUNTRIES}")
    if len(set(countries)) != len(countries):
        raise ValueError(f"countries repeat: {list(countries)}")
    if transactions < 0:
        raise ValueError(f"transactions must be >= 0, got {transactions}")


def generate(output_root: str, business_date: str, countries: Sequence[str], transactions: int,
             seed: int, entries: Sequence[WatchlistEntry], compress: bool = False
             ) -> GenerateSummary:
    """Write synthetic feeds for `countries` (about `transactions` in total, split evenly)
    with about 1% planted hits of each kind, and the ground truth naming every hit."""
    countries = [c.upper() for c in countries]
    _check_args(business_date, countries, transactions)
    planter = HitPlanter(entries)
    day_root = os.path.join(output_root, business_date)
    truth_path = os.path.join(day_root, "ground_truth.csv")
    suffix = ".gz" if compress else ""
    files: list[str] = []
    per_country: dict[str, int] = {}
    planted: dict[str, int] = {k: 0 for k in ("name", "imo", "crypto_address")}
    with _atomic_text(truth_path, False) as truth_out:
        truth = csv.writer(truth_out)
        truth.writerow(TRUTH_COLUMNS)
        for cc, n in zip(countries, _split(transactions, len(countries))):
            c = _Country(cc, business_date, seed, n, planter, truth.writerow)
            cuts = [0] + [round(n * s) for s in accumulate(f[1] for f in FEEDS[:-1])] + [n]
            for (feed, _, letter, kinds), lo, hi in zip(FEEDS, cuts, cuts[1:]):
                path = os.path.join(day_root, cc, feed + suffix)
                _drop_stale(os.path.join(day_root, cc, feed + ("" if compress else ".gz")))
                with _atomic_text(path, compress) as out:
                    c.write_feed(out, feed, feed + suffix, letter, hi - lo, kinds)
                files.append(path)
            per_country[cc] = n
            for kind, count in c.planted.items():
                planted[kind] += count
    files.append(truth_path)
    return GenerateSummary(tuple(files), per_country, planted, truth_path)


def _drop_stale(path: str) -> None:
    """Remove this feed's other-compression twin so a rerun leaves one copy of each feed."""
    if os.path.exists(path):
        os.remove(path)
