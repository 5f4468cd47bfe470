"""ISO 20022 pacs.008 (FI-to-FI customer credit transfer) → Transaction rows.

Namespace-version agnostic (pacs.008.001.02 … .13, prefixed or not): elements are matched
by local name, and a `Document` may sit inside any envelope (a BAH `AppHdr` beside it, the
Fedwire `FedwireFundsIncoming` wrapper, several messages in one file). Each `CdtTrfTxInf`
under an `FIToFICstmrCdtTrf` is one transaction; `source_row` is its 1-based position in
the file.

The file is read as a stream (`walk_transactions`): each CdtTrfTxInf is turned into a row when
its end tag is parsed, then its elements are dropped, so memory holds the rows, not the tree
(a 33 MB file as a tree took about 460 MB). Every row is yielded only after the whole file
has parsed, so a broken file fails as a whole (FeedError) and never half-way. DTDs and entity
declarations are refused outright (an expat guard reads the prolog before the C parser sees
it) and external entities are never fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar
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
    pooled,
    quarantine,
    transaction,
)

FILE_FORMAT = "pacs.008"
MESSAGE = "FIToFICstmrCdtTrf"
TRANSACTION = "CdtTrfTxInf"
_CHUNK = 64 * 1024
T = TypeVar("T")


def _forbid_dtd(*_args: object) -> NoReturn:
    raise FeedError("XML DTD/entity declarations are not allowed")


class _RootReached(Exception):
    """The guard has seen the root element start: no DTD can follow."""


def _root_reached(*_args: object) -> NoReturn:
    raise _RootReached


def _guard() -> expat.XMLParserType:
    """An expat parser for the prolog only: refuses a DTD or entity declaration, stops at the root."""
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _forbid_dtd
    guard.EntityDeclHandler = _forbid_dtd
    guard.ExternalEntityRefHandler = _forbid_dtd
    guard.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    guard.StartElementHandler = _root_reached
    return guard


def _strip_namespaces(root: ET.Element) -> str:
    """Drop the `{namespace}` of every tag and attribute name; the root's namespace."""
    namespace = _namespace(root.tag)
    for elem in root.iter():
        tag = elem.tag
        if tag[:1] == "{":
            elem.tag = tag[tag.find("}") + 1 :]
        if elem.attrib and any(k[:1] == "{" for k in elem.attrib):
            elem.attrib = {_local(k): v for k, v in elem.attrib.items()}
    return namespace


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _namespace(tag: str) -> str:
    """The namespace of a `{namespace}local` tag ('' when it has none)."""
    return tag[1 : tag.find("}")] if tag[:1] == "{" else ""


def _not_well_formed(exc: Exception) -> FeedError:
    return FeedError(f"not well-formed XML (broken or truncated): {exc}")


def _feed_guarded(path: str, parser: ET.XMLParser | ET.XMLPullParser, consume: Callable[[], None] = lambda: None) -> None:
    """Feed the file to `parser` in chunks, each through the prolog guard first; `consume` runs
    after every chunk. Raises FeedError for an empty or unreadable file, one that declares a
    DTD or entities, or one the guard finds without a root element."""
    guard: expat.XMLParserType | None = _guard()
    size = 0
    try:
        with open_binary(path) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if guard is not None:
                    try:
                        guard.Parse(chunk, False)
                    except _RootReached:
                        guard = None
                parser.feed(chunk)
                consume()
        if size == 0:
            raise FeedError("empty file")
        if guard is not None:
            guard.Parse(b"", True)  # no root element: expat says what is wrong
    except expat.ExpatError as exc:
        raise _not_well_formed(exc) from exc
    except READ_ERRORS as exc:
        raise feed_error(exc) from exc


def parse_xml(path: str) -> tuple[ET.Element, str]:
    """The document as an ElementTree with namespace-free tags, and its root's namespace.

    A DTD can only stand before the root element: a small expat guard reads the prolog and
    refuses a DOCTYPE or entity declaration there, then the C parser builds the tree (Python
    handlers on every element made it about 1.6 times as slow). Raises FeedError for an
    empty, unreadable, malformed or truncated file, or one that declares a DTD or entities.
    """
    parser = ET.XMLParser(target=ET.TreeBuilder())
    try:
        _feed_guarded(path, parser)
        root = parser.close()
    except ET.ParseError as exc:
        raise _not_well_formed(exc) from exc
    return root, _strip_namespaces(root)


def walk_transactions(path: str, on_tx: Callable[[int, ET.Element, ET.Element | None], T]) -> list[tuple[int, T]]:
    """`on_tx(position, tx, grp_hdr)` for every CdtTrfTxInf of a file as its end tag is parsed
    (tags namespace-free; `grp_hdr` is its message's GrpHdr or None), after which the
    transaction's elements are dropped: the tree is never held whole. Returns (position,
    value) for each CdtTrfTxInf that is a child of an FIToFICstmrCdtTrf, numbered from 1 in
    document order (`read_pacs008`'s source_row); `on_tx` got the same number unless a
    CdtTrfTxInf stood elsewhere (then the returned number is the one to use).

    Only end events are read (start events too made the walk twice as slow), so whether a
    transaction belongs to a message is known when the message ends. Raises FeedError as
    `parse_xml` does, and for a file without an FIToFICstmrCdtTrf message (e.g. pain.001).
    """
    parser = ET.XMLPullParser(events=("end",))
    local: dict[str, str] = {}
    pending: dict[int, T] = {}  # id(CdtTrfTxInf) → value, until its message ends
    rows: list[tuple[int, T]] = []
    header: ET.Element | None = None  # the GrpHdr of the message being read
    last: ET.Element | None = None  # the root, once the file has been read
    messages = seen = 0

    def consume() -> None:
        nonlocal header, last, messages, seen
        for _, elem in parser.read_events():
            last = elem
            tag = elem.tag
            name = local.get(tag)
            if name is None:
                name = local[tag] = _local(tag)
            if name == TRANSACTION:
                _strip_namespaces(elem)
                seen += 1
                pending[id(elem)] = on_tx(seen, elem, header)
                elem.clear()  # its children are no longer needed; the empty element stays until its message ends
            elif name == "GrpHdr":
                _strip_namespaces(elem)
                header = elem
            elif name == MESSAGE:
                messages += 1
                kept = []
                for child in elem:
                    if id(child) in pending:  # a CdtTrfTxInf of this message
                        rows.append((len(rows) + 1, pending[id(child)]))
                    else:
                        kept.append(child)
                elem[:] = kept
                pending.clear()
                header = None
            elif header is not None and len(elem) and elem[0] is header:
                header = None  # the GrpHdr of something other than a pacs.008 message has ended

    try:
        _feed_guarded(path, parser, consume)
        parser.close()
        consume()
    except ET.ParseError as exc:
        raise _not_well_formed(exc) from exc
    if not messages:
        tag = "" if last is None else last.tag
        namespace = _namespace(tag)
        where = f" in namespace {namespace}" if namespace else ""
        raise FeedError(f"not a pacs.008 message: root element <{_local(tag)}>{where}")
    return rows


def _text(elem: ET.Element | None) -> str | None:
    """Whitespace-collapsed text of `elem`, or None when absent or blank."""
    if elem is None or elem.text is None:
        return None
    return " ".join(elem.text.split()) or None


def _first(elem: ET.Element | None, *paths: str) -> str | None:
    if elem is None:
        return None
    return next((t for t in (_text(elem.find(p)) for p in paths) if t is not None), None)


class _Paths:
    """Every element below one CdtTrfTxInf by its path ("Dbtr/PstlAdr/Ctry"), the first in
    document order where a path repeats, as `Element.find` gives it: one walk per transaction
    instead of a path search per field (that search was most of the read time)."""

    def __init__(self, tx: ET.Element) -> None:
        self.found: dict[str, ET.Element] = {}
        level: list[tuple[str, ET.Element]] = [("", tx)]
        while level:  # breadth first: within one depth, document order
            below = []
            for prefix, elem in level:
                for child in elem:
                    path = prefix + child.tag
                    self.found.setdefault(path, child)
                    if len(child):
                        below.append((path + "/", child))
            level = below

    def text(self, *paths: str) -> str | None:
        """The first non-blank text among `paths`."""
        for path in paths:
            if (text := _text(self.found.get(path))) is not None:
                return text
        return None


def _party(paths: _Paths, tag: str, role: str, agent: str | None = None) -> Party | None:
    """The party in `tag` (Dbtr, Cdtr, UltmtDbtr, UltmtCdtr) with its account and agent BIC."""
    account = paths.text(f"{tag}Acct/Id/IBAN", f"{tag}Acct/Id/Othr/Id")
    bic = paths.text(f"{agent}/FinInstnId/BICFI", f"{agent}/FinInstnId/BIC") if agent else None
    if tag not in paths.found and account is None and bic is None:
        return None
    name = paths.text(f"{tag}/Nm")
    country = paths.text(f"{tag}/PstlAdr/Ctry", f"{tag}/CtryOfRes")
    return Party(role, name, account, bic, country.upper() if country else None)


def serialise(elem: ET.Element) -> str:
    """The element as text, without the text that follows it."""
    tail, elem.tail = elem.tail, None
    try:
        return ET.tostring(elem, encoding="unicode")
    finally:
        elem.tail = tail


def cdt_trf_tx(
    tx: ET.Element, grp_hdr: ET.Element | None, ctx: FileContext, position: int, pool: dict[Any, Any] | None = None
) -> Transaction | QuarantineRow:
    """One CdtTrfTxInf (namespace-free tags) as a Transaction, or why it cannot be one;
    parties and the currency are taken from the file's `pool` (see `pooled`)."""
    paths = _Paths(tx)
    end_to_end = paths.text("PmtId/EndToEndId")
    if end_to_end is not None and end_to_end.upper() == "NOTPROVIDED":
        end_to_end = None
    tx_id = end_to_end or paths.text("PmtId/UETR", "PmtId/TxId")
    problems = []
    if tx_id is None:
        problems.append("missing transaction id (PmtId/EndToEndId, UETR or TxId)")
    amount_elem = paths.found.get("IntrBkSttlmAmt")
    if amount_elem is None or not (amount_elem.text or "").strip():
        amount_elem = paths.found.get("InstdAmt")
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
    for holder, field in ((None, "IntrBkSttlmDt"), (grp_hdr, "IntrBkSttlmDt"), (grp_hdr, "CreDtTm")):
        value = paths.text(field) if holder is None else _first(holder, field)  # the header only as fallback
        if value is not None:
            try:
                timestamp = parse_timestamp(value)
            except ValueError:
                problems.append(f"{field} not a date: {value!r}")
            break
    if problems:
        return quarantine(ctx, position, serialise(tx), "; ".join(problems))
    parties = (
        pooled(pool, _party(paths, "Dbtr", "originator", "DbtrAgt")),
        pooled(pool, _party(paths, "Cdtr", "beneficiary", "CdtrAgt")),
        pooled(pool, _party(paths, "UltmtDbtr", "ultimate_originator")),
        pooled(pool, _party(paths, "UltmtCdtr", "ultimate_beneficiary")),
    )
    ustrd = [" ".join(e.text.split()) for e in tx.iterfind("RmtInf/Ustrd") if e.text]
    return transaction(
        ctx,
        source_row=position,
        tx_id=tx_id or "",
        tx_timestamp_us=timestamp,
        amount=amount,
        currency=pooled(pool, currency),
        parties=tuple(p for p in parties if p is not None),
        remittance_info=" ".join(u for u in ustrd if u) or None,
        file_format=FILE_FORMAT,
    )


def read_pacs008(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every CdtTrfTxInf of a pacs.008 file, as a Transaction or a QuarantineRow.

    A CdtTrfTxInf without a usable id or amount (or with an unreadable amount or date) is
    quarantined with the element serialised (namespace prefixes dropped) as raw_record.
    Raises FeedError when the file is not XML, is truncated, declares a DTD, or holds no
    FIToFICstmrCdtTrf message (e.g. a pain.001 file); no row is yielded then.
    """
    pool: dict[Any, Any] = {}
    rows = walk_transactions(path, lambda position, tx, grp_hdr: cdt_trf_tx(tx, grp_hdr, ctx, position, pool))
    for position, row in rows:
        yield row if row.source_row == position else row._replace(source_row=position)
