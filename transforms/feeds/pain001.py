"""ISO 20022 pain.001 (customer credit transfer initiation) → Transaction rows.

Any version (pain.001.001.03 … .12, the German DK variants pain.001.002.03 / .003.03), prefixed
or not: elements are matched by local name. Each `CdtTrfTxInf` is one transaction, and
`source_row` is its 1-based position in the file. The debtor side sits once per payment
information block (`PmtInf/Dbtr`, `DbtrAcct`, `DbtrAgt`, `UltmtDbtr`) and is shared by every
transfer in it; a transfer's own `UltmtDbtr` wins over the block's.

  tx_id        PmtId/EndToEndId (unless NOTPROVIDED), else InstrId, else UETR
  amount       Amt/InstdAmt (+@Ccy), else Amt/EqvtAmt/Amt
  timestamp    PmtInf/ReqdExctnDt (date, or Dt/DtTm since .08), else GrpHdr/CreDtTm
  parties      originator (Dbtr + DbtrAcct + DbtrAgt BIC), beneficiary (Cdtr + CdtrAcct +
               CdtrAgt BIC), ultimate_originator (UltmtDbtr), ultimate_beneficiary (UltmtCdtr)
  remittance   RmtInf/Ustrd and RmtInf/Strd/AddtlRmtInf

The file is parsed whole (and safely: no DTDs, no entities) before the first row is yielded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from schemas.records import QuarantineRow, Transaction
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

FILE_FORMAT = "pain.001"
MESSAGE = "CstmrCdtTrfInitn"


def _tx_id(tx: ET.Element) -> str | None:
    end_to_end = first(tx, "PmtId/EndToEndId")
    if end_to_end is not None and end_to_end.upper() == "NOTPROVIDED":
        end_to_end = None
    return end_to_end or first(tx, "PmtId/InstrId", "PmtId/UETR")


def credit_transfer(
    tx: ET.Element, pmt_inf: ET.Element, grp_hdr: ET.Element | None, ctx: FileContext, position: int
) -> Transaction | QuarantineRow:
    """One CdtTrfTxInf of a PmtInf block as a Transaction, or why it cannot be one."""
    problems = []
    tx_id = _tx_id(tx)
    if tx_id is None:
        problems.append("missing transaction id (PmtId/EndToEndId, InstrId or UETR)")
    amount = amount_at(tx, "Amt/InstdAmt", "Amt/EqvtAmt/Amt")
    if amount.problem:
        problems.append(amount.problem)
    timestamp, date_problem = timestamp_at([(pmt_inf, "ReqdExctnDt"), (grp_hdr, "CreDtTm")])
    if date_problem:
        problems.append(date_problem)
    if problems:
        return quarantine(ctx, position, serialise(tx), "; ".join(problems))
    ultimate_debtor = tx.find("UltmtDbtr")
    if ultimate_debtor is None:
        ultimate_debtor = pmt_inf.find("UltmtDbtr")
    parties = (
        named_party(pmt_inf.find("Dbtr"), "originator", account_of(pmt_inf, "DbtrAcct"),
                    agent_bic(pmt_inf, "DbtrAgt")),
        named_party(tx.find("Cdtr"), "beneficiary", account_of(tx, "CdtrAcct"), agent_bic(tx, "CdtrAgt")),
        named_party(ultimate_debtor, "ultimate_originator"),
        named_party(tx.find("UltmtCdtr"), "ultimate_beneficiary"),
    )  # fmt: skip
    return transaction(
        ctx,
        source_row=position,
        tx_id=tx_id or "",
        tx_timestamp_us=timestamp,
        amount=amount.value,
        currency=amount.currency,
        parties=tuple(p for p in parties if p is not None),
        remittance_info=remittance(tx),
        file_format=FILE_FORMAT,
    )


def read_pain001(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every CdtTrfTxInf of a pain.001 file, as a Transaction or a QuarantineRow.

    Raises FeedError when the file is not XML, is truncated, declares a DTD, or holds no
    CstmrCdtTrfInitn message (e.g. a pacs.008 or a pain.008 direct debit file).
    """
    root, namespace = parse_xml(path)
    messages = list(root.iter(MESSAGE))
    if not messages:
        where = f" in namespace {namespace}" if namespace else ""
        raise FeedError(f"not a pain.001 message: root element <{root.tag}>{where}")
    rows: list[Transaction | QuarantineRow] = []
    for message in messages:
        grp_hdr = message.find("GrpHdr")
        for pmt_inf in message.iterfind("PmtInf"):
            for tx in pmt_inf.iterfind("CdtTrfTxInf"):
                rows.append(credit_transfer(tx, pmt_inf, grp_hdr, ctx, len(rows) + 1))
    yield from rows
