"""IVMS101 travel-rule messages (JSON) from crypto exchanges → Transaction rows.

A `.json` file holds one message or an array of them; a `.jsonl` file one message a line.
`source_row` is the message's 1-based position. A message is either the bare IVMS101 payload
(`originator`, `beneficiary`, `originatingVASP`, `beneficiaryVASP`) or a travel-rule envelope
that carries it under `ivms101` / `identity` / `payload` beside the transfer's own fields (TRISA
`transaction`, TRP, Notabene `transactionBlockchainInfo` shapes are read).

Parties: every natural or legal person of `originatorPersons` / `beneficiaryPersons` becomes an
originator / beneficiary. Its legal name (`nameIdentifier` of type LEGL, else the first; natural
persons as "secondary primary", i.e. given names then surname) is the party name; other names
(aliases, trading names, local-script names) are screened too, as further parties of the same
role. `accountNumber` entries are crypto addresses (the first on the first person, the others as
further parties); customer numbers go into `account`; `countryOfResidence` /
`countryOfRegistration` (else the first address's country) into `country`. The originating and
beneficiary VASPs become parties with roles `originating_vasp` and `beneficiary_vasp`.

Transfer fields (top level, `transaction`, `transactionBlockchainInfo`): tx_id from txid /
transactionId / txHash / id (a message without one is named "<source_file>#<row>"), amount (as
given, no unit conversion), asset, timestamp. A message that is not an object, has no person on
either side, a person without any name, or an unreadable amount or date is quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import (
    FeedError,
    FileContext,
    is_valid_utf8,
    parse_amount,
    parse_timestamp,
    printable,
    quarantine,
    read_whole,
    text_lines,
    transaction,
)

FILE_FORMAT = "ivms101"
VASP_ROLES = {"originatingVASP": "originating_vasp", "beneficiaryVASP": "beneficiary_vasp"}
WRAPPERS = ("ivms101", "identity", "payload", "ivms")
TX_ID_KEYS = ("txid", "txId", "tx_id", "transactionId", "transaction_id", "txHash", "tx_hash", "hash", "id")
AMOUNT_KEYS = ("amount", "transactionAmount", "value")
ASSET_KEYS = ("asset", "assetType", "asset_type", "transactionAsset", "currency", "network")
TIME_KEYS = ("timestamp", "createdAt", "transactionDate", "date")
SIDES = (("originator", "originatorPersons"), ("beneficiary", "beneficiaryPersons"))


def payload_of(message: dict[str, Any]) -> dict[str, Any] | None:
    """The IVMS101 payload of a message: itself, or the envelope key that holds it."""
    if any(isinstance(message.get(side), dict) for side, _ in SIDES):
        return message
    lowered = {str(k).lower(): v for k, v in message.items()}
    for key in WRAPPERS:
        inner = lowered.get(key)
        if isinstance(inner, dict) and any(isinstance(inner.get(side), dict) for side, _ in SIDES):
            return inner
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int, float, Decimal)) and not isinstance(value, bool):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return " ".join(text.split()) or None
    return None


def _lookup(message: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first scalar under one of `keys` at the top level or in the transfer sub-objects."""
    holders = [message] + [message[k] for k in ("transaction", "transactionBlockchainInfo")
                           if isinstance(message.get(k), dict)]  # fmt: skip
    for holder in holders:
        for key in keys:
            value = holder.get(key)
            if isinstance(value, dict):  # TRP: {"asset": {"symbol": "ETH"}}
                value = value.get("symbol") or value.get("ticker") or value.get("slip0044")
            if _text(value) is not None:
                return _text(value)
    return None


def _identifiers(name: Any) -> list[dict[str, Any]]:
    """Every name identifier of a person's `name` (object or list; singular or plural keys)."""
    out: list[dict[str, Any]] = []
    for block in name if isinstance(name, list) else [name]:
        if not isinstance(block, dict):
            continue
        for key in ("nameIdentifier", "nameIdentifiers", "localNameIdentifier", "localNameIdentifiers",
                    "phoneticNameIdentifier", "phoneticNameIdentifiers"):  # fmt: skip
            items = block.get(key) or []
            out += [i for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)]
    return out


def person_names(person: dict[str, Any]) -> tuple[list[str], str | None, str | None]:
    """(names, legal name first; country; customer number) of one IVMS101 Person."""
    natural, legal = person.get("naturalPerson"), person.get("legalPerson")
    body = natural if isinstance(natural, dict) else legal if isinstance(legal, dict) else {}
    names: list[tuple[bool, str]] = []
    for ident in _identifiers(body.get("name")):
        if body is natural:
            parts = [_text(ident.get("secondaryIdentifier")), _text(ident.get("primaryIdentifier"))]
            kind = ident.get("nameIdentifierType")
        else:
            parts = [_text(ident.get("legalPersonName"))]
            kind = ident.get("legalPersonNameIdentifierType")
        full = " ".join(p for p in parts if p)
        if full:
            names.append((kind != "LEGL", full))
    ordered = list(dict.fromkeys(n for _, n in sorted(names, key=lambda item: item[0])))
    country = _text(body.get("countryOfResidence")) or _text(body.get("countryOfRegistration"))
    addresses = body.get("geographicAddress")
    if country is None and isinstance(addresses, list) and addresses and isinstance(addresses[0], dict):
        country = _text(addresses[0].get("country"))
    customer = _text(body.get("customerIdentification")) or _text(body.get("customerNumber"))
    return ordered, country.upper() if country else None, customer


def side_parties(side: dict[str, Any], persons_key: str, role: str) -> tuple[list[Party], list[str]]:
    """The parties of the originator or beneficiary block, and the problems found in it."""
    parties: list[Party] = []
    problems: list[str] = []
    persons = side.get(persons_key) or []
    accounts = [a for a in (_text(x) for x in (side.get("accountNumber") or [])) if a]
    for i, person in enumerate(persons if isinstance(persons, list) else [persons]):
        if not isinstance(person, dict) or not ({"naturalPerson", "legalPerson"} & set(person)):
            problems.append(f"{persons_key}[{i}] is neither a naturalPerson nor a legalPerson")
            continue
        names, country, customer = person_names(person)
        if not names:
            problems.append(f"{persons_key}[{i}] has no name (nameIdentifier)")
            continue
        address = accounts.pop(0) if accounts else None
        parties.append(Party(role, names[0], customer, None, country, address))
        parties += [Party(role, other) for other in names[1:]]
    parties += [Party(role, None, crypto_address=address) for address in accounts]
    return parties, problems


def vasp_party(payload: dict[str, Any], key: str) -> Party | None:
    """The originating or beneficiary VASP (`{"originatingVASP": Person}` or the Person itself)."""
    block = payload.get(key)
    person = block.get(key, block) if isinstance(block, dict) else None
    if not isinstance(person, dict):
        return None
    names, country, _ = person_names(person)
    return Party(VASP_ROLES[key], names[0], country=country) if names else None


def ivms_message(message: Any, ctx: FileContext, row: int, raw: str) -> Transaction | QuarantineRow:
    """One travel-rule message as a Transaction, or a QuarantineRow naming every problem."""
    if not isinstance(message, dict):
        return quarantine(ctx, row, raw, f"message is not a JSON object: {type(message).__name__}")
    payload = payload_of(message)
    if payload is None:
        return quarantine(ctx, row, raw, "no IVMS101 payload (originator / beneficiary objects)")
    parties: list[Party] = []
    problems: list[str] = []
    for role, persons_key in SIDES:
        side = payload.get(role)
        found, issues = side_parties(side, persons_key, role) if isinstance(side, dict) else ([], [])
        parties += found
        problems += issues
    if not any(p.name for p in parties) and not problems:
        problems.append("no originator or beneficiary person")
    amount = timestamp = None
    amount_text, time_text = _lookup(message, AMOUNT_KEYS), _lookup(message, TIME_KEYS)
    if amount_text is not None:
        try:
            amount = parse_amount(amount_text)
        except ValueError:
            problems.append(f"amount not a number: {amount_text!r}")
    if time_text is not None:
        try:
            timestamp = parse_timestamp(time_text)
        except ValueError:
            problems.append(f"timestamp not a date/time: {time_text!r}")
    if problems:
        return quarantine(ctx, row, raw, "; ".join(problems))
    parties += [p for p in (vasp_party(payload, key) for key in VASP_ROLES) if p is not None]
    asset = _lookup(message, ASSET_KEYS)
    return transaction(
        ctx,
        source_row=row,
        tx_id=_lookup(message, TX_ID_KEYS) or f"{ctx.source_file}#{row}",
        tx_timestamp_us=timestamp,
        amount=amount,
        currency=asset.upper() if asset else None,
        parties=tuple(parties),
        file_format=FILE_FORMAT,
    )


def _messages(path: str) -> Iterator[tuple[int, Any, str]]:
    """(position, decoded message or the JSON error text, raw text) for a .json or .jsonl file."""
    if not path.lower().removesuffix(".gz").endswith(".json"):
        row = 0
        for line in text_lines(path):
            raw = line.rstrip("\r\n")
            if not raw.strip():
                continue
            row += 1
            if not is_valid_utf8(raw):
                yield row, ValueError("line is not valid UTF-8"), printable(raw)
                continue
            try:
                yield row, json.loads(raw, parse_float=Decimal), raw
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                yield row, ValueError(f"line is not valid JSON: {exc}"), raw
        return
    data = read_whole(path)
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not valid JSON: {exc}") from exc
    for row, message in enumerate(document if isinstance(document, list) else [document], 1):
        yield row, message, json.dumps(message, ensure_ascii=False, default=str)


def read_ivms101(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every travel-rule message of a .json or .jsonl file, as a Transaction or QuarantineRow.

    Raises FeedError for an empty or unreadable file, or a .json file that is not JSON.
    """
    for row, message, raw in _messages(path):
        if isinstance(message, ValueError):
            yield quarantine(ctx, row, raw, str(message))
        else:
            yield ivms_message(message, ctx, row, raw)
