"""Synthetic crypto-exchange transactions for `generate`: assets, wallets, hashes, timestamps.

Counterparty wallets are drawn once per country and reused, so addresses repeat like real
counterparties do. Addresses are random but well-formed for their chain: `0x` + 40 hex (EVM),
`bc1q…` bech32 or `1…`/`3…` base58 (bitcoin), `T…` base58 (TRON); their checksums are not real.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from math import exp
from typing import NamedTuple

from pipelines.generate_hits import Hit
from pipelines.generate_names import SynthParty

# (asset, network, share)
ASSETS: tuple[tuple[str, str, float], ...] = (
    ("BTC", "bitcoin", 0.30), ("ETH", "ethereum", 0.20), ("USDT", "tron", 0.20),
    ("USDT", "ethereum", 0.15), ("USDC", "ethereum", 0.10), ("USDC", "polygon", 0.05),
)
EUR_PRICES = {"BTC": 82_000.0, "ETH": 3_100.0, "USDT": 0.92, "USDC": 0.92}
DECIMALS = {"BTC": 8, "ETH": 6, "USDT": 2, "USDC": 2}
FAMILY = {"bitcoin": "btc", "ethereum": "evm", "polygon": "evm", "arbitrum": "evm", "bsc": "evm",
          "tron": "tron"}
VASPS = ("Binance", "Coinbase", "Kraken", "Bitstamp", "Bitvavo", "Bitpanda", "OKX", "Bybit",
         "Bit2Me", "Young Platform", "Coinhouse", "Bitonic")
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def evm_address(rng: random.Random) -> str:
    return f"0x{rng.getrandbits(160):040x}"


def btc_address(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return "bc1q" + "".join(rng.choices(_BECH32, k=38))
    return ("1" if rng.random() < 0.6 else "3") + "".join(rng.choices(_BASE58, k=33))


def tron_address(rng: random.Random) -> str:
    return "T" + "".join(rng.choices(_BASE58, k=33))


def tx_hash(rng: random.Random, family: str) -> str:
    h = f"{rng.getrandbits(256):064x}"
    return "0x" + h if family == "evm" else h


def iso_time(day: str, seconds: int) -> str:
    """'YYYY-MM-DDTHH:MM:SSZ' for a second of the business day."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{day}T{h:02d}:{m:02d}:{s:02d}Z"


class Wallet(NamedTuple):
    address: str
    name: str  # the holder as the other VASP reports it (travel rule), or "" if unknown
    vasp: str  # "" for an unhosted wallet


class CryptoRows:
    """Builds exchange rows for one country (customers from its domestic parties)."""

    def __init__(self, rng: random.Random, country: str, domestic: Sequence[SynthParty],
                 pool: Sequence[SynthParty], wallets_per_chain: int) -> None:
        self.country, self.domestic = country, domestic
        makers = {"btc": btc_address, "evm": evm_address, "tron": tron_address}
        self.wallets: dict[str, list[Wallet]] = {}
        for family, make in makers.items():
            wallets = []
            for _ in range(max(20, wallets_per_chain)):
                address = make(rng)
                if rng.random() < 0.6:
                    vasp = VASPS[int(rng.random() * len(VASPS))]
                    wallets.append(Wallet(address, pool[int(rng.random() * len(pool))].name, vasp))
                else:
                    name = pool[int(rng.random() * len(pool))].name if rng.random() < 0.3 else ""
                    wallets.append(Wallet(address, name, ""))
            self.wallets[family] = wallets
        self._pairs = [(asset, network) for asset, network, _ in ASSETS]
        self._bounds = list(accumulate(share for _, _, share in ASSETS))[:-1]

    def _amount(self, asset: str, eur: float) -> str:
        return f"{eur / EUR_PRICES[asset]:.{DECIMALS[asset]}f}"

    def rows(self, rng: random.Random, day: str, letter: str, count: int) -> Iterator[list[str]]:
        """`count` rows in CRYPTO_COLUMNS order, timestamps rising through the day."""
        r, gauss, cc, dom = rng.random, rng.gauss, self.country, self.domestic
        nd, step = len(dom), 86_400 / max(count, 1)
        for i in range(count):
            asset, network = self._pairs[bisect_right(self._bounds, r())]
            family = FAMILY[network]
            eur = min(exp(6.0 + 1.5 * gauss()), 2_000_000.0)
            k = int(r() * nd)
            wallets = self.wallets[family]
            w = wallets[int(r() * len(wallets))]
            yield [f"{cc}-{letter}-{i + 1:06d}", iso_time(day, int((i + r()) * step)), asset,
                   network, self._amount(asset, eur), "in" if r() < 0.5 else "out",
                   f"{cc}C{k:07d}", dom[k].name, cc, w.address, w.name, w.vasp,
                   tx_hash(rng, family), f"{eur:.2f}"]

    def set_counterparty(self, rng: random.Random, row: list[str], hit: Hit) -> None:
        """Make the row a transfer with the listed address, on a chain that fits it."""
        assert hit.asset is not None and hit.network is not None
        row[2], row[3] = hit.asset, hit.network
        row[4] = self._amount(hit.asset, float(row[13]))
        row[9], row[10], row[11] = hit.text, "", ""  # an unhosted wallet: no name, no VASP
        row[12] = tx_hash(rng, FAMILY[hit.network])
