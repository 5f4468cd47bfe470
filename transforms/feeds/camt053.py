"""ISO 20022 camt.053 (bank-to-customer statement) → Transaction rows.

Versions camt.053.001.02 … .08 and later, prefixed or not (elements are matched by local name).
Every `Stmt/Ntry/NtryDtls/TxDtls` is one transaction; an entry without any TxDtls (a batch
booked as one line) is one transaction of its own. `source_row` is the 1-based position of that
transaction in the file.

The account owner (`Stmt/Acct`: `Ownr/Nm`, `Id/IBAN` or `Id/Othr/Id`, `Svcr` BIC) is one side:
the beneficiary of a credit (`CdtDbtInd` CRDT) and the originator of a debit (DBIT). The other
side comes from `RltdPties` (`Dbtr`/`Cdtr` with their accounts; `Pty` wrapper of .07+ read too)
and `RltdAgts` (`DbtrAgt`/`CdtrAgt` BIC); `UltmtDbtr`/`UltmtCdtr` become the ultimate parties.
Where `RltdPties` names the owner's side too, it wins, and the owner fills what it leaves out.

  tx_id       Refs/EndToEndId (unless NOTPROVIDED), UETR, TxId, InstrId, AcctSvcrRef, then the
              entry's NtryRef or AcctSvcrRef, else "<Stmt/Id>/<entry position>"
  amount      TxDtls/Amt, AmtDtls/TxAmt/Amt, AmtDtls/InstdAmt/Amt, else the entry's Amt when the
              entry has only this one transaction
  timestamp   Ntry/BookgDt, else ValDt, else Stmt/CreDtTm, else GrpHdr/CreDtTm
  remittance  RmtInf/Ustrd (+ Strd/AddtlRmtInf), else AddtlTxInf, else AddtlNtryInf
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import NamedTuple

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import FeedError, FileContext, quarantine, transaction
from transforms.feeds.iso20022 import (
    account_of,
    agent_bic,
    amount_at,
    first,
    named_party,
    parse_xml,
    remittance,
    serialise,
    timestamp_at,
)

FILE_FORMAT = "camt.053"
MESSAGE = "BkToCstmrStmt"
DIRECTIONS = {"CRDT": "in", "DBIT": "out"}
_REFS = ("Refs/EndToEndId", "Refs/UETR", "Refs/TxId", "Refs/InstrId", "Refs/AcctSvcrRef")


class Owner(NamedTuple):
    """The statement account's holder: one side of every entry."""

    name: str | None
    account: str | None
    bic: str | None
    country: str | None


class StatementContext(NamedTuple):
    """What an entry needs from above it: the statement, its owner and the group header."""

    stmt: ET.Element
    owner: Owner
    grp_hdr: ET.Element | None


def statement_owner(stmt: ET.Element) -> Owner:
    """The account owner of a `Stmt` from its `Acct` block."""
    acct = stmt.find("Acct")
    country = first(acct, "Ownr/PstlAdr/Ctry", "Ownr/CtryOfRes")
    return Owner(first(acct, "Ownr/Nm"), account_of(stmt, "Acct"), agent_bic(acct, "Svcr"),
                 country.upper() if country else None)  # fmt: skip


def _side(details: ET.Element | None, tag: str, role: str, owner: Owner | None) -> Party | None:
    """Dbtr or Cdtr from RltdPties/RltdAgts; the owner fills in when this is its side."""
    pties = details.find("RltdPties") if details is not None else None
    party = named_party(pties.find(tag) if pties is not None else None, role,
                        account_of(pties, f"{tag}Acct"), agent_bic(details, f"RltdAgts/{tag}Agt"))  # fmt: skip
    if owner is None:
        return party
    if party is None:
        party = Party(role, None)
    return party._replace(name=party.name or owner.name, account=party.account or owner.account,
                          bic=party.bic or owner.bic, country=party.country or owner.country)  # fmt: skip


def _tx_id(entry: ET.Element, details: ET.Element | None, stmt: ET.Element, entry_no: int) -> str | None:
    tx_id = first(details, *_REFS)
    if tx_id is not None and tx_id.upper() == "NOTPROVIDED":
        tx_id = first(details, *_REFS[1:])
    tx_id = tx_id or first(entry, "NtryRef", "AcctSvcrRef")
    stmt_id = first(stmt, "Id")
    return tx_id or (f"{stmt_id}/{entry_no}" if stmt_id else None)


def entry_transaction(entry: ET.Element, details: ET.Element | None, only: bool, sc: StatementContext,
                      ctx: FileContext, position: int, entry_no: int) -> Transaction | QuarantineRow:  # fmt: skip
    """One TxDtls of an entry (or the entry itself when `details` is None) as a Transaction."""
    problems = []
    tx_id = _tx_id(entry, details, sc.stmt, entry_no)
    if tx_id is None:
        problems.append("missing transaction id (Refs/EndToEndId, UETR, TxId, NtryRef or Stmt/Id)")
    paths = ["Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"]
    amount = amount_at(details, *paths)
    if amount.problem and only:
        amount = amount_at(entry, "Amt")
    if amount.problem:
        problems.append(amount.problem)
    indicator = first(details, "CdtDbtInd") or first(entry, "CdtDbtInd")
    direction = DIRECTIONS.get((indicator or "").upper())
    if direction is None:
        problems.append(f"CdtDbtInd not CRDT|DBIT: {indicator!r}")
    timestamp, date_problem = timestamp_at([(entry, "BookgDt"), (entry, "ValDt"), (sc.stmt, "CreDtTm"),
                                            (sc.grp_hdr, "CreDtTm")])  # fmt: skip
    if date_problem:
        problems.append(date_problem)
    if problems:
        return quarantine(ctx, position, serialise(details if details is not None else entry), "; ".join(problems))
    owner_in = sc.owner if direction == "in" else None
    owner_out = sc.owner if direction == "out" else None
    pties = details.find("RltdPties") if details is not None else None
    parties = (
        _side(details, "Dbtr", "originator", owner_out),
        _side(details, "Cdtr", "beneficiary", owner_in),
        named_party(pties.find("UltmtDbtr") if pties is not None else None, "ultimate_originator"),
        named_party(pties.find("UltmtCdtr") if pties is not None else None, "ultimate_beneficiary"),
    )
    text = remittance(details) or first(details, "AddtlTxInf") or first(entry, "AddtlNtryInf")
    return transaction(
        ctx,
        source_row=position,
        tx_id=tx_id or "",
        tx_timestamp_us=timestamp,
        amount=amount.value,
        currency=amount.currency,
        parties=tuple(p for p in parties if p is not None),
        remittance_info=text,
        file_format=FILE_FORMAT,
    )


def statement_rows(sc: StatementContext, ctx: FileContext, start: int) -> list[Transaction | QuarantineRow]:
    """Every transaction of one statement; positions continue from `start`."""
    rows: list[Transaction | QuarantineRow] = []
    for entry_no, entry in enumerate(sc.stmt.iterfind("Ntry"), 1):
        details: list[ET.Element | None] = [d for block in entry.iterfind("NtryDtls") for d in block.iterfind("TxDtls")]
        for item in details or [None]:
            rows.append(entry_transaction(entry, item, len(details) <= 1, sc, ctx, start + len(rows) + 1,
                                          entry_no))  # fmt: skip
    return rows


def read_camt053(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every transaction of a camt.053 file, as a Transaction or a QuarantineRow.

    Raises FeedError when the file is not XML, is truncated, declares a DTD, or holds no
    BkToCstmrStmt message (a camt.052 report or camt.054 notification is refused, not guessed).
    """
    root, namespace = parse_xml(path)
    messages = list(root.iter(MESSAGE))
    if not messages:
        where = f" in namespace {namespace}" if namespace else ""
        raise FeedError(f"not a camt.053 statement: root element <{root.tag}>{where}")
    rows: list[Transaction | QuarantineRow] = []
    for message in messages:
        grp_hdr = message.find("GrpHdr")
        for stmt in message.iterfind("Stmt"):
            rows += statement_rows(StatementContext(stmt, statement_owner(stmt), grp_hdr), ctx, len(rows))
    yield from rows
