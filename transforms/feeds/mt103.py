"""SWIFT MT103 (single customer credit transfer) → Transaction rows.

Envelopes: plain FIN (`{1:F01…}{2:O103…}{4:` … `-}{5:…}`, one or more messages), DOS-PCC
(each message framed by SOH/ETX and padded; ACK blocks `{1:F21…}` are skipped), RJE (messages
separated by a `$` line), and a bare text block (`:20:` … with no headers). Each FIN message is
one transaction; `source_row` is its 1-based position among the file's messages. A message of
another type (an MT202 in the same file) or a broken one is quarantined with the reason.

  tx_id         :20:  sender's reference
  date, amount  :32A: YYMMDD + currency + amount with decimal comma ("061028EUR100000,")
  originator    :50A: (/account + BIC), :50F: (party id + numbered lines 1/name, 3/CC/town),
                :50K: (/account + name and address lines: the first line is the name)
  its agent     :52A: BIC, else the sender's BIC from the header
  beneficiary   :59: / :59A: / :59F: as for 50; its agent :57A: BIC, else the receiver's BIC
  remittance    :70: and :72: lines joined with spaces (IMO numbers and names are scanned there)

A party given by BIC only (50A/59A) carries that BIC: it names the customer itself, and wins
over its agent's. :56a: (intermediary) is read but not carried: Transaction has no place for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import (
    FeedError,
    FileContext,
    quarantine,
    read_whole,
    transaction,
)

FILE_FORMAT = "mt103"
MESSAGE_TYPES = ("103",)  # MT103, incl. the STP and REMIT variants (validation flag in block 3)
_MESSAGE_START = re.compile(r"\{1:F(\d\d)")
_BLOCK2 = re.compile(r"\{2:([IO])(\d{3})([^}]*)\}")
_BLOCK4 = re.compile(r"\{4:[ \t]*\r?\n(.*?)(\r?\n-\}|$)", re.DOTALL)
_FIELD = re.compile(r"^:(\d\d[A-Z]?):", re.MULTILINE)
_32A = re.compile(r"(\d{6})([A-Z]{3})(\d+,\d*)")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SEPARATORS = str.maketrans({"\x01": "\n", "\x03": "\n"})


class Message(NamedTuple):
    """One FIN message cut out of a file: its type, header BICs and text block."""

    raw: str
    mt: str | None  # "103", "202", …; None for a bare text block
    sender_bic: str | None
    receiver_bic: str | None
    text: str | None  # block 4 without its braces; None when missing
    terminated: bool  # block 4 ends with "-}"


def _lt_bic(address: str) -> str | None:
    """BIC of a 12-character logical terminal address (BIC8 + terminal letter + branch)."""
    address = address.strip()
    if len(address) < 12:
        return None
    return address[:8] + (address[9:12] if address[9:12] != "XXX" else "")


def _message(raw: str) -> Message:
    head = _BLOCK2.search(raw)
    mt = head.group(2) if head else None
    sender = receiver = None
    own = raw[6:18] if raw.startswith("{1:F") else ""  # block 1 holds our own LT address
    if head and head.group(1) == "O":  # output: sender in the MIR after HHMM + YYMMDD
        sender, receiver = _lt_bic(head.group(3)[10:22]), _lt_bic(own)
    elif head:  # input: receiver address follows the type
        sender, receiver = _lt_bic(own), _lt_bic(head.group(3)[:12])
    block = _BLOCK4.search(raw)
    text = block.group(1) if block else None
    return Message(raw.strip(), mt, sender, receiver, text, bool(block and block.group(2)))


def split_messages(content: str) -> list[Message]:
    """The FIN messages of a file in any of the envelopes, service (ACK/NAK) blocks dropped."""
    content = content.translate(_SEPARATORS)
    starts = list(_MESSAGE_START.finditer(content))
    if not starts:  # bare text blocks: one message per :20: field
        cuts = [m.start() for m in re.finditer(r"(?m)^:20:", content)]
        chunks = [content[a:b] for a, b in zip(cuts, cuts[1:] + [len(content)])]
        return [Message(c.strip(), None, None, None, re.sub(r"\r?\n-\}?\s*$", "", c.rstrip()), True) for c in chunks]
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(content)
        if start.group(1) != "01":  # F21 acknowledgements and other service messages
            continue
        chunk = re.sub(r"(?m)^\$\s*$", "", content[start.start():end])
        out.append(_message(chunk))
    return out


def fields(text: str) -> dict[str, list[str]]:
    """Tag → lines of a text block (first tag wins when repeated; continuation lines kept)."""
    out: dict[str, list[str]] = {}
    marks = list(_FIELD.finditer(text))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        lines = [ln.rstrip() for ln in text[mark.end():end].splitlines()]
        while lines and not lines[-1].strip():
            lines.pop()
        out.setdefault(mark.group(1), lines)
    return out


def parse_32a(value: str) -> tuple[int, str, float]:
    """(epoch µs, currency, amount) of a :32A: value; ValueError when it is not one."""
    found = _32A.fullmatch(value.strip())
    if not found:
        raise ValueError(value)
    yymmdd, currency, amount = found.groups()
    year = int(yymmdd[:2])
    day = datetime(year + (2000 if year < 80 else 1900), int(yymmdd[2:4]), int(yymmdd[4:]), tzinfo=UTC)
    return (day - _EPOCH) // timedelta(microseconds=1), currency, float(amount.replace(",", "."))


def customer(tags: dict[str, list[str]], number: str, role: str) -> tuple[Party | None, str | None]:
    """The ordering (50) or beneficiary (59) customer, and which option was used."""
    option = next((o for o in ("A", "F", "K", "") if f"{number}{o}" in tags), None)
    if option is None:
        return None, None
    lines = [ln.strip() for ln in tags[f"{number}{option}"] if ln.strip()]
    account = None
    if lines and lines[0].startswith("/"):
        account = lines.pop(0)[1:].strip() or None
    name = bic = country = None
    if option == "A":
        bic = lines[0].replace(" ", "") if lines and _BIC.match(lines[0].replace(" ", "")) else None
    elif option == "F":
        if account is None and lines and not re.match(r"\d/", lines[0]):
            account = lines.pop(0)  # party identifier such as "NIDN/DE/123456"
        numbered = [(ln[0], ln[2:].strip()) for ln in lines if re.match(r"\d/", ln)]
        name = " ".join(v for k, v in numbered if k == "1") or None
        town = next((v for k, v in numbered if k == "3"), "")
        country = town[:2] if re.match(r"[A-Z]{2}(/|$)", town) else None
    else:
        name = lines[0] if lines else None
    return Party(role, name, account, bic, country), option


def _with_agent(party: Party | None, agent: str | None) -> Party | None:
    if party is None or party.bic or agent is None:
        return party
    return party._replace(bic=agent)


def _agent(tags: dict[str, list[str]], number: str) -> str | None:
    lines = [ln.strip() for ln in tags.get(f"{number}A", []) if ln.strip() and not ln.startswith("/")]
    return lines[0] if lines and _BIC.match(lines[0]) else None


def mt_transaction(message: Message, ctx: FileContext, position: int) -> Transaction | QuarantineRow:
    """One FIN message as a Transaction, or a QuarantineRow naming every problem found."""
    if message.mt is not None and message.mt not in MESSAGE_TYPES:
        return quarantine(ctx, position, message.raw, f"not an MT103 message (MT{message.mt})")
    if message.text is None or not message.terminated:
        return quarantine(ctx, position, message.raw, "text block {4: … -} missing or not terminated (truncated?)")
    tags = fields(message.text)
    problems = []
    tx_id = " ".join(tags.get("20", [])).strip() or None
    if tx_id is None:
        problems.append("missing field :20: (transaction reference)")
    timestamp = currency = amount = None
    if "32A" not in tags:
        problems.append("missing field :32A: (value date, currency, amount)")
    else:
        try:
            timestamp, currency, amount = parse_32a(" ".join(tags["32A"]))
        except ValueError:
            problems.append(f"field :32A: not YYMMDD + currency + amount: {' '.join(tags['32A'])!r}")
    originator, _ = customer(tags, "50", "originator")
    beneficiary, _ = customer(tags, "59", "beneficiary")
    if originator is None:
        problems.append("missing field :50a: (ordering customer)")
    if beneficiary is None:
        problems.append("missing field :59a: (beneficiary customer)")
    if problems:
        return quarantine(ctx, position, message.raw, "; ".join(problems))
    remittance = " ".join(" ".join(ln.split()) for tag in ("70", "72") for ln in tags.get(tag, []) if ln.strip())
    parties = (_with_agent(originator, _agent(tags, "52") or message.sender_bic),
               _with_agent(beneficiary, _agent(tags, "57") or message.receiver_bic))  # fmt: skip
    return transaction(
        ctx,
        source_row=position,
        tx_id=tx_id or "",
        tx_timestamp_us=timestamp,
        amount=amount,
        currency=currency,
        parties=tuple(p for p in parties if p is not None),
        remittance_info=remittance or None,
        file_format=FILE_FORMAT,
    )


def read_mt103(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every FIN message of an MT file, as a Transaction or a QuarantineRow.

    Text is read as UTF-8, else Latin-1 (SWIFT's X character set is ASCII). Raises FeedError
    for an empty or unreadable file or one with no SWIFT message in it.
    """
    data = read_whole(path)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("latin-1")
    messages = split_messages(content)
    if not messages:
        raise FeedError("no SWIFT MT message found (no {1:F01 header and no :20: field)")
    rows = [mt_transaction(m, ctx, i) for i, m in enumerate(messages, 1)]
    yield from rows
