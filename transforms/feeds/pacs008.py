"""ISO 20022 pacs.008 (FI-to-FI customer credit transfer) → Transaction rows.

Namespace-version agnostic (pacs.008.001.02 … .13, prefixed or not): elements are matched
by local name, and a `Document` may sit inside any envelope (a BAH `AppHdr` beside it, the
Fedwire `FedwireFundsIncoming` wrapper, several messages in one file). Each `CdtTrfTxInf`
under an `FIToFICstmrCdtTrf` is one transaction; `source_row` is its 1-based position in
the file.

The file is parsed whole with expat before the first row is yielded, so a broken file fails
as a whole (FeedError) and never half-way. DTDs and entity declarations are refused outright
and external entities are never fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import NoReturn
from xml.parsers import expat

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds.common import (
    READ_ERRORS,
    FeedError,
    FileContext,
    feed_error,
    open_binary,
    parse_amount,
    parse_timestamp,
    quarantine,
    transaction,
)

FILE_FORMAT = "pacs.008"
MESSAGE = "FIToFICstmrCdtTrf"
_CHUNK = 64 * 1024


def _forbid_dtd(*_args: object) -> NoReturn:
    raise FeedError("XML DTD/entity declarations are not allowed")


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def parse_xml(path: str) -> tuple[ET.Element, str]:
    """The document as an ElementTree with namespace-free tags, and its root's namespace.

    Raises FeedError for an empty, unreadable, malformed or truncated file, or one that
    declares a DTD or entities.
    """
    builder = ET.TreeBuilder()
    root_ns: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if not root_ns:
            root_ns.append(name.rpartition("}")[0])
        builder.start(_local(name), {_local(k): v for k, v in attrs.items()})

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_local(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_dtd
    parser.ExternalEntityRefHandler = _forbid_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    size = 0
    try:
        with open_binary(path) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                parser.Parse(chunk, False)
        if size == 0:
            raise FeedError("empty file")
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise FeedError(f"not well-formed XML (broken or truncated): {exc}") from exc
    except READ_ERRORS as exc:
        raise feed_error(exc) from exc
    return builder.close(), (root_ns[0] if root_ns else "")


def _text(elem: ET.Element, path: str) -> str | None:
    """Whitespace-collapsed text at `path` below `elem`, or None when absent or blank."""
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _first(elem: ET.Element | None, *paths: str) -> str | None:
    if elem is None:
        return None
    return next((t for t in (_text(elem, p) for p in paths) if t is not None), None)


def _party(
    tx: ET.Element, tag: str, role: str, agent: str | None = None
) -> Party | None:
    """The party in `tag` (Dbtr, Cdtr, UltmtDbtr, UltmtCdtr) with its account and agent BIC."""
    elem = tx.find(tag)
    account = _first(tx, f"{tag}Acct/Id/IBAN", f"{tag}Acct/Id/Othr/Id")
    bic = (
        _first(tx, f"{agent}/FinInstnId/BICFI", f"{agent}/FinInstnId/BIC")
        if agent
        else None
    )
    if elem is None and account is None and bic is None:
        return None
    name = _first(elem, "Nm")
    country = _first(elem, "PstlAdr/Ctry", "CtryOfRes")
    return Party(role, name, account, bic, country.upper() if country else None)


def _serialise(elem: ET.Element) -> str:
    tail, elem.tail = elem.tail, None
    try:
        return ET.tostring(elem, encoding="unicode")
    finally:
        elem.tail = tail


def cdt_trf_tx(
    tx: ET.Element, grp_hdr: ET.Element | None, ctx: FileContext, position: int
) -> Transaction | QuarantineRow:
    """One CdtTrfTxInf (namespace-free tags) as a Transaction, or why it cannot be one."""
    end_to_end = _text(tx, "PmtId/EndToEndId")
    if end_to_end is not None and end_to_end.upper() == "NOTPROVIDED":
        end_to_end = None
    tx_id = end_to_end or _first(tx, "PmtId/UETR", "PmtId/TxId")
    problems = []
    if tx_id is None:
        problems.append("missing transaction id (PmtId/EndToEndId, UETR or TxId)")
    amount_elem = tx.find("IntrBkSttlmAmt")
    if amount_elem is None or not (amount_elem.text or "").strip():
        amount_elem = tx.find("InstdAmt")
    amount = currency = None
    if amount_elem is None or not (amount_elem.text or "").strip():
        problems.append("missing amount (IntrBkSttlmAmt or InstdAmt)")
    else:
        try:
            amount = parse_amount(amount_elem.text or "")
        except ValueError:
            problems.append(f"{amount_elem.tag} not a number: {amount_elem.text!r}")
        currency = (amount_elem.get("Ccy") or "").strip().upper() or None
    timestamp = None
    for holder, field in (
        (tx, "IntrBkSttlmDt"),
        (grp_hdr, "IntrBkSttlmDt"),
        (grp_hdr, "CreDtTm"),
    ):
        value = _first(holder, field)
        if value is not None:
            try:
                timestamp = parse_timestamp(value)
            except ValueError:
                problems.append(f"{field} not a date: {value!r}")
            break
    if problems:
        return quarantine(ctx, position, _serialise(tx), "; ".join(problems))
    parties = (
        _party(tx, "Dbtr", "originator", "DbtrAgt"),
        _party(tx, "Cdtr", "beneficiary", "CdtrAgt"),
        _party(tx, "UltmtDbtr", "ultimate_originator"),
        _party(tx, "UltmtCdtr", "ultimate_beneficiary"),
    )
    ustrd = [" ".join(e.text.split()) for e in tx.iterfind("RmtInf/Ustrd") if e.text]
    return transaction(
        ctx,
        source_row=position,
        tx_id=tx_id or "",
        tx_timestamp_us=timestamp,
        amount=amount,
        currency=currency,
        parties=tuple(p for p in parties if p is not None),
        remittance_info=" ".join(u for u in ustrd if u) or None,
        file_format=FILE_FORMAT,
    )


def read_pacs008(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every CdtTrfTxInf of a pacs.008 file, as a Transaction or a QuarantineRow.

    A CdtTrfTxInf without a usable id or amount (or with an unreadable amount or date) is
    quarantined with the element serialised (namespace prefixes dropped) as raw_record.
    Raises FeedError when the file is not XML, is truncated, declares a DTD, or holds no
    FIToFICstmrCdtTrf message (e.g. a pain.001 file).
    """
    root, namespace = parse_xml(path)
    messages = list(root.iter(MESSAGE))
    if not messages:
        where = f" in namespace {namespace}" if namespace else ""
        raise FeedError(f"not a pacs.008 message: root element <{root.tag}>{where}")
    rows = []
    position = 0
    for message in messages:
        grp_hdr = message.find("GrpHdr")
        for tx in message.iterfind("CdtTrfTxInf"):
            position += 1
            rows.append(cdt_trf_tx(tx, grp_hdr, ctx, position))
    yield from rows
