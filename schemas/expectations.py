"""The great-expectations suites for the feeds, built in code: one per feed type.

A suite checks one file's parsed rows as a pandas frame with the columns of its layout
(`LAYOUTS`, built by `transforms.validate`): `bank` (originator / beneficiary) or `crypto`
(customer / counterparty). Checks that need our own code (IBAN checksum, crypto address
format, days from the business date) read columns derived there, so this module imports none
of our packages. Each expectation's `meta["reason"]` is the text a quarantined row carries;
`meta["shows"]` names the column whose value that text quotes.

The two feed types of DESIGN §3 are `bank` and `crypto`; `PROFILES` also holds two variants:
`bank_ids`, for bank messages whose parties may be named by account or BIC alone (MT103 option
A, camt.053 statement entries, pain.001), and `travel_rule` (IVMS101: asset symbols; amount and
date checked where given). `FORMAT_PROFILES` says which file format gets which.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any, NamedTuple

from schemas.deferred_imports import defer
from schemas.iso_codes import COUNTRIES, CURRENCIES

defer()  # before great_expectations is imported anywhere: what it imports and this project never uses

if TYPE_CHECKING:  # great_expectations takes seconds to import: only when a suite is built
    import great_expectations as gx
    import great_expectations.expectations as gxe

NAME_LENGTH = (2, 140)  # ISO 20022 Max140Text; one letter is not a screenable name
TX_ID_MAX = 140
TEXT_CAPS = {"remittance_info": 1_000, "reporting_entity": 140, "originator_account": 70, "beneficiary_account": 70,
             "customer_id": 140, "network": 40}  # fmt: skip
MAX_AMOUNT = 1e15  # above any real payment or token transfer; rules out inf too
# No control characters or U+FFFD in a name or id. U+FFFD is in the pattern as the character
# itself: written as an escape ("\\ufffd"), pandas ran the check in Python, row by row, instead of
# in pyarrow (a tenth of great-expectations' time on a bank file).
NAME_CONTROL = "[\\x00-\\x1f\\x7f-\\x9f\ufffd]"
# A name must hold at least one letter or digit (any script). Written for RE2 (Arrow), which
# pandas then runs in C: Python's `[^\W_]`, the same set for every assigned character
# (tests/schemas), made pandas match every row of a non-ASCII column in Python.
NAME_WORD = r"[\p{L}\p{N}]"
TEXT_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # tab and newlines allowed in free text
BIC = rf"^[A-Z]{{4}}(?:{'|'.join(sorted(COUNTRIES))})[A-Z0-9]{{2}}(?:[A-Z0-9]{{3}})?$"
ASSET = r"^[A-Z0-9]{2,10}$"

# Address formats (as `watchlists.identifiers.crypto_chain` names them) each network or asset uses.
NETWORK_CHAINS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ethereum", "eth", "erc20", "polygon", "matic", "bsc", "bep20", "arbitrum", "optimism",
                     "base", "avalanche", "avax"), frozenset({"evm"})),
    **dict.fromkeys(("bitcoin", "btc", "litecoin", "ltc"), frozenset({"bech32", "base58"})),
    **dict.fromkeys(("tron", "trx", "trc20"), frozenset({"tron"})),
    **dict.fromkeys(("monero", "xmr"), frozenset({"monero"})),
    **dict.fromkeys(("solana", "sol", "dogecoin", "doge"), frozenset({"base58"})),
}  # fmt: skip
ASSET_CHAINS: dict[str, frozenset[str]] = {
    "BTC": frozenset({"bech32", "base58"}), "LTC": frozenset({"bech32", "base58"}), "ETH": frozenset({"evm"}),
    "DAI": frozenset({"evm"}), "BNB": frozenset({"evm"}), "USDT": frozenset({"evm", "tron"}),
    "USDC": frozenset({"evm", "tron", "base58"}), "TRX": frozenset({"tron"}), "XMR": frozenset({"monero"}),
    "SOL": frozenset({"base58"}),
}  # fmt: skip

BANK_SIDES = ("originator", "beneficiary")
LAYOUTS: dict[str, tuple[str, ...]] = {
    "bank": ("tx_id", "booking_date", "booking_date_offset_days", "amount", "currency", "originator_name",
             "beneficiary_name", "ultimate_originator_name", "ultimate_beneficiary_name",
             *(f"{side}_{field}" for side in BANK_SIDES for field in
               ("account", "iban_valid", "bic", "country", "address", "address_known", "address_fits_chain")),
             "remittance_info", "reporting_entity"),
    "crypto": ("tx_id", "timestamp", "timestamp_offset_days", "amount", "asset", "network", "customer_name",
               "counterparty_name", "customer_id", "customer_country", "counterparty_address",
               "counterparty_address_known", "counterparty_address_fits_chain"),
}  # fmt: skip
DATE_COLUMN = {"bank": "booking_date", "crypto": "timestamp"}
UNIT_COLUMN = {"bank": "currency", "crypto": "asset"}


class FeedProfile(NamedTuple):
    """What one kind of feed must satisfy: its layout, unit rule and required columns."""

    name: str
    layout: str  # bank | crypto
    unit: str  # iso4217 (currencies) | asset (crypto asset symbols)
    required: tuple[str, ...]  # columns that must be present and non-null


PROFILES: dict[str, FeedProfile] = {
    "bank": FeedProfile("bank", "bank", "iso4217",
                        ("tx_id", "booking_date", "amount", "currency", "originator_name", "beneficiary_name")),
    "bank_ids": FeedProfile("bank_ids", "bank", "iso4217", ("tx_id", "booking_date", "amount", "currency")),
    "crypto": FeedProfile("crypto", "crypto", "asset",
                          ("tx_id", "timestamp", "amount", "asset", "customer_name", "counterparty_address")),
    "travel_rule": FeedProfile("travel_rule", "bank", "asset", ("tx_id",)),
}  # fmt: skip
FORMAT_PROFILES = {"bank-csv": "bank", "pacs.008": "bank", "pain.001": "bank_ids", "mt103": "bank_ids",
                   "camt.053": "bank_ids", "crypto-csv": "crypto", "crypto-jsonl": "crypto",
                   "ivms101": "travel_rule"}  # fmt: skip


class DateWindow(NamedTuple):
    """How far a transaction's date may lie before or after the business date, in whole days."""

    days_before: int = 7
    days_after: int = 7


def profile_for(file_format: str, source_type: str) -> FeedProfile:
    """The profile of a file format; a format not in the table gets its source type's."""
    return PROFILES[FORMAT_PROFILES.get(file_format, "crypto" if source_type == "crypto" else "bank")]


# A mistyped IBAN or BIC does not make the names in a payment less real: such a row is still
# screened (quarantining it would let a listed beneficiary pass unscreened); the failure is kept
# in the file's validation results as a warning.
WARNING = "warning"


def _meta(reason: str, shows: str | None = None, severity: str = "quarantine") -> dict[str, str]:
    """`severity` "warning": reported in the validation results, but the row is still screened."""
    return {"reason": reason, "severity": severity, **({"shows": shows} if shows else {})}


def _text(column: str, max_length: int, control: str, what: str = "") -> list[gxe.Expectation]:
    """A length cap and no control characters, for a text column."""
    import great_expectations.expectations as gxe
    lo = NAME_LENGTH[0] if what == "name" else 0
    length = f"name not {lo}-{max_length} characters long" if what == "name" else f"longer than {max_length} characters"
    return [
        gxe.ExpectColumnValueLengthsToBeBetween(column=column, min_value=lo, max_value=max_length, meta=_meta(length)),
        gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=control, meta=_meta("control characters")),
    ]  # fmt: skip


def _addresses(prefix: str) -> list[gxe.Expectation]:
    """A crypto address, where given, has a known format that fits its network or asset."""
    import great_expectations.expectations as gxe
    shows = f"{prefix}_address"
    return [
        gxe.ExpectColumnValuesToBeInSet(column=f"{prefix}_address_known", value_set=[True],
                                        meta=_meta("not a known crypto address format", shows)),
        gxe.ExpectColumnValuesToBeInSet(column=f"{prefix}_address_fits_chain", value_set=[True],
                                        meta=_meta("address format does not fit the network or asset", shows)),
    ]  # fmt: skip


def expectations(profile: FeedProfile, window: DateWindow) -> list[gxe.Expectation]:
    """Every expectation of a profile, in the order reasons list them."""
    import great_expectations.expectations as gxe
    date, unit = DATE_COLUMN[profile.layout], UNIT_COLUMN[profile.layout]
    out: list[gxe.Expectation] = [gxe.ExpectColumnToExist(column=c, meta=_meta("required column absent"))
                                  for c in profile.required]  # fmt: skip
    out += [gxe.ExpectColumnValuesToNotBeNull(column=c, meta=_meta("missing")) for c in profile.required]
    out += [
        gxe.ExpectColumnValuesToBeUnique(column="tx_id", meta=_meta("duplicated within the file")),
        *_text("tx_id", TX_ID_MAX, NAME_CONTROL),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=MAX_AMOUNT, strict_min=True,
                                          meta=_meta(f"not a positive amount up to {MAX_AMOUNT:.0e}")),
        gxe.ExpectColumnValuesToBeBetween(column=f"{date}_offset_days", min_value=-window.days_before,
                                          max_value=window.days_after,
                                          meta=_meta(f"more than {window.days_before} days before or "
                                                     f"{window.days_after} days after the business date", date)),
    ]  # fmt: skip
    if profile.unit == "iso4217":
        out.append(gxe.ExpectColumnValuesToBeInSet(column=unit, value_set=sorted(CURRENCIES),
                                                   meta=_meta("not an ISO 4217 currency code")))  # fmt: skip
    else:
        out.append(gxe.ExpectColumnValuesToMatchRegex(column=unit, regex=ASSET,
                                                      meta=_meta("not an asset symbol (2-10 capitals or digits)")))  # fmt: skip
    names = [c for c in LAYOUTS[profile.layout] if c.endswith("_name")]
    for column in names:
        out += _text(column, NAME_LENGTH[1], NAME_CONTROL, "name")
        out.append(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=NAME_WORD,
                                                      meta=_meta("no letter or digit in the name")))  # fmt: skip
    if profile.layout == "crypto":
        out += _addresses("counterparty")
        out.append(gxe.ExpectColumnValuesToBeInSet(column="customer_country", value_set=sorted(COUNTRIES),
                                                   meta=_meta("not an ISO 3166-1 alpha-2 country code")))  # fmt: skip
    for side in BANK_SIDES if profile.layout == "bank" else ():
        out += [
            gxe.ExpectColumnValuesToBeInSet(column=f"{side}_iban_valid", value_set=[True],
                                            meta=_meta("IBAN-like account fails the IBAN shape, country or "
                                                       "mod-97 checksum", f"{side}_account", WARNING)),
            gxe.ExpectColumnValuesToMatchRegex(column=f"{side}_bic", regex=BIC,
                                               meta=_meta("not a BIC (4 letters, ISO country, 2 or 5 more)",
                                                          severity=WARNING)),
            gxe.ExpectColumnValuesToBeInSet(column=f"{side}_country", value_set=sorted(COUNTRIES),
                                            meta=_meta("not an ISO 3166-1 alpha-2 country code")),
        ]  # fmt: skip
        if profile.unit == "asset":
            out += _addresses(side)
    for column in (c for c in LAYOUTS[profile.layout] if c in TEXT_CAPS):
        out += _text(column, TEXT_CAPS[column], TEXT_CONTROL)
    return out


@functools.lru_cache(maxsize=1)
def gx_context() -> Any:
    """The process's ephemeral GX context (suites need one to exist): in memory, no data docs
    site, no analytics, no progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # read when great_expectations is imported
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               analytics_enabled=False)  # fmt: skip
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def suite_for(profile: FeedProfile, window: DateWindow = DateWindow()) -> gx.ExpectationSuite:
    """The suite of a profile and date window, built once per process."""
    if window.days_before < 0 or window.days_after < 0:
        raise ValueError(f"the date window must not be negative, got {window}")
    return _suite(profile, DateWindow(*window))


@functools.lru_cache(maxsize=32)
def _suite(profile: FeedProfile, window: DateWindow) -> gx.ExpectationSuite:
    gx_context()
    import great_expectations as gx
    suite = gx.ExpectationSuite(name=f"{profile.name}_feed")
    for expectation in expectations(profile, window):
        suite.add_expectation(expectation)
    return suite
