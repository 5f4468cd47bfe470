"""ISO 20022 pacs.008 (FI-to-FI customer credit transfer) → Transaction rows.

Namespace-version agnostic (pacs.008.001.02 … .13, prefixed or not): elements are matched
by local name, and a `Document` may sit inside any envelope (a BAH `AppHdr` beside it, the
Fedwire `FedwireFundsIncoming` wrapper, several messages in one file). Each `CdtTrfTxInf`
under an `FIToFICstmrCdtTrf` is one transaction; `source_row` is its 1-based position in
the file.

The file is read as a stream by libxml2 (lxml; `walk_transactions`): each CdtTrfTxInf is
turned into a row when its end tag is parsed, then its elements are dropped, so memory holds
the rows, not the tree (a 33 MB file as a tree took about 460 MB). Every row is yielded only
after the whole file has parsed, so a broken file fails as a whole (FeedError) and never
half-way. DTDs and entity declarations are refused outright (an expat guard reads the prolog
before the parser sees it; libxml2 is also told to load no DTD and resolve no entity) and
nothing is ever fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar
from xml.parsers import expat

from lxml import etree

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
)

FILE_FORMAT = "pacs.008"
MESSAGE = "FIToFICstmrCdtTrf"
TRANSACTION = "CdtTrfTxInf"
HEADER = "GrpHdr"
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


_LOCAL: dict[str, str] = {}  # tag → local name, for the tags seen (a pacs.008 uses a few dozen)


def _local_name(tag: object) -> str | None:
    """The local name of an element's tag; None for a comment or processing instruction."""
    name = _LOCAL.get(tag) if isinstance(tag, str) else None
    if name is None and isinstance(tag, str):
        name = _local(tag)
        if len(_LOCAL) < 4096:
            _LOCAL[tag] = name
    return name


def _namespace(tag: str) -> str:
    """The namespace of a `{namespace}local` tag ('' when it has none)."""
    return tag[1 : tag.find("}")] if tag[:1] == "{" else ""


def _not_well_formed(why: object) -> FeedError:
    return FeedError(f"not well-formed XML (broken or truncated): {why}")


def _feed_guarded(path: str, parser: ET.XMLParser | etree.XMLPullParser, consume: Callable[[], None] = lambda: None) -> None:
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


def _pull_parser() -> etree.XMLPullParser:
    """libxml2's pull parser, reporting the end of each CdtTrfTxInf and FIToFICstmrCdtTrf
    (any namespace or none); no DTD loaded, no entity resolved, nothing fetched, comments and
    processing instructions dropped."""
    return etree.XMLPullParser(events=("end",), tag=(f"{{*}}{TRANSACTION}", f"{{*}}{MESSAGE}"), load_dtd=False,
                               resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)  # fmt: skip


def walk_transactions(
    path: str, on_tx: Callable[[int, etree._Element, etree._Element | None], T]
) -> list[tuple[int, T]]:
    """(position, `on_tx(position, tx, grp_hdr)`) for every CdtTrfTxInf that is a child of
    an FIToFICstmrCdtTrf, numbered from 1 in document order (`read_pacs008`'s source_row),
    `on_tx` called as its end tag is parsed; `tx` and `grp_hdr` (its message's GrpHdr, or
    None) are lxml elements with their namespaces. The transaction's elements are dropped
    afterwards: the tree is never held whole. A CdtTrfTxInf elsewhere (e.g. in a pacs.009
    beside the message) is skipped and shifts no number.

    libxml2 (lxml) parses and picks the transactions out in C: about four times as fast as
    ElementTree's pull parser, which reported every element to Python. Raises FeedError as
    `parse_xml` does, and for a file without an FIToFICstmrCdtTrf message (e.g. pain.001).
    """
    parser = _pull_parser()
    rows: list[tuple[int, T]] = []
    message: etree._Element | None = None  # the message of the last transaction
    header: etree._Element | None = None  # and its GrpHdr
    messages = 0

    def consume() -> None:
        nonlocal message, header, messages
        for _, elem in parser.read_events():
            if _local_name(elem.tag) == MESSAGE:
                messages += 1
                elem.clear(keep_tail=True)
                message = header = None
                continue
            parent = elem.getparent()
            if parent is None or _local_name(parent.tag) != MESSAGE:
                continue
            if parent is not message:
                message, header = parent, None
            if header is None:
                header = parent.find(f"{{*}}{HEADER}")
            rows.append((len(rows) + 1, on_tx(len(rows) + 1, elem, header)))
            elem.clear(keep_tail=True)
            while (before := elem.getprevious()) is not None and before is not header:
                parent.remove(before)  # the transactions read before this one

    try:
        _feed_guarded(path, parser, consume)
        root = parser.close()
        consume()
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(exc.msg) from exc  # its str() ends in "(<string>, line N)"
    if not messages:
        namespace = _namespace(root.tag)
        where = f" in namespace {namespace}" if namespace else ""
        raise FeedError(f"not a pacs.008 message: root element <{_local(root.tag)}>{where}")
    return rows


def _text(elem: ET.Element | None) -> str | None:
    """Whitespace-collapsed text of `elem`, or None when absent or blank."""
    if elem is None or elem.text is None:
        return None
    return " ".join(elem.text.split()) or None


class _PathNode(dict):
    """Below one path: a child's tag → (its path, the node below it), or None for a child
    that is not an element (comment, processing instruction); built as tags are met."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix  # the path to here and "/", or "" at the transaction


_PATH_NODES = 4096  # the tree of paths kept (a pacs.008 has a few dozen); beyond it, worked out each time
_ROOT = _PathNode("")
_known_nodes = [1]


def _child(node: _PathNode, tag: object) -> tuple[str, _PathNode] | None:
    """What `node` keeps for a child with `tag` (see _PathNode), made and kept the first time."""
    name = _local_name(tag)
    path = None if name is None else node.prefix + name
    entry = None if path is None else (path, _PathNode(path + "/"))
    if _known_nodes[0] < _PATH_NODES:
        _known_nodes[0] += 1
        node[tag] = entry
    return entry


_REPEATED = "RmtInf/Ustrd"  # the one path whose every element is wanted (`_Paths.every`)


def _walk(elem: Any, node: _PathNode, found: dict[str, Any], every: list[Any]) -> None:
    """`_Paths`' walk below `elem`, whose path is `node`'s."""
    for child in elem:
        tag = child.tag
        entry = node.get(tag)
        if entry is None:
            if tag in node or (entry := _child(node, tag)) is None:
                continue  # not an element
        path, below = entry
        if path not in found:
            found[path] = child
        if path == _REPEATED:
            every.append(child)
        if len(child):
            _walk(child, below, found, every)


class _Paths:
    """Every element below one CdtTrfTxInf by its path of local names ("Dbtr/PstlAdr/Ctry"),
    the first in document order where a path repeats, as `Element.find` gives it: one walk per
    transaction instead of a path search per field (that search was most of the read time).
    A child's path is looked up by its tag in a tree of the paths met so far (`_PathNode`),
    not put together from its local name (NL's 41,667 transactions, parse included: 1.77-1.84
    → 1.63-1.67 s). The walk recurses once per level: libxml2 refuses a document nested
    deeper than 256 levels (a FeedError), far inside Python's recursion limit."""

    __slots__ = ("found", "every")

    def __init__(self, tx: ET.Element | etree._Element) -> None:
        self.found: dict[str, Any] = {}
        self.every: list[Any] = []  # the elements at _REPEATED, in document order
        _walk(tx, _ROOT, self.found, self.every)

    def text(self, *paths: str) -> str | None:
        """The first non-blank text among `paths`."""
        for path in paths:
            if (text := _text(self.found.get(path))) is not None:
                return text
        return None


def _party_paths(tag: str, agent: str | None) -> tuple[tuple[str, str], tuple[str, str] | None, str, tuple[str, str]]:
    """Where a party's account, agent BIC, name and country stand (built once per party tag)."""
    bic = (f"{agent}/FinInstnId/BICFI", f"{agent}/FinInstnId/BIC") if agent else None
    return (f"{tag}Acct/Id/IBAN", f"{tag}Acct/Id/Othr/Id"), bic, f"{tag}/Nm", (f"{tag}/PstlAdr/Ctry", f"{tag}/CtryOfRes")


_PARTIES = tuple((tag, role, _party_paths(tag, agent)) for tag, role, agent in (
    ("Dbtr", "originator", "DbtrAgt"), ("Cdtr", "beneficiary", "CdtrAgt"),
    ("UltmtDbtr", "ultimate_originator", None), ("UltmtCdtr", "ultimate_beneficiary", None)))  # fmt: skip


def _party(paths: _Paths, tag: str, role: str, where: tuple) -> Party | None:
    """The party in `tag` (Dbtr, Cdtr, UltmtDbtr, UltmtCdtr) with its account and agent BIC;
    `where` as `_party_paths` gives it."""
    accounts, bics, name_path, countries = where
    account = paths.text(*accounts)
    bic = paths.text(*bics) if bics else None
    if tag not in paths.found and account is None and bic is None:
        return None
    country = paths.text(*countries)
    return Party(role, paths.text(name_path), account, bic, country.upper() if country else None)


def serialise(elem: etree._Element) -> str:
    """The element as text without namespaces (as `parse_xml` gives tags), without the text
    that follows it."""
    copy = ET.fromstring(etree.tostring(elem, with_tail=False))
    _strip_namespaces(copy)
    return ET.tostring(copy, encoding="unicode")


def cdt_trf_tx(
    tx: etree._Element, grp_hdr: etree._Element | None, ctx: FileContext, position: int, pool: dict[Any, Any] | None = None
) -> Transaction | QuarantineRow:
    """One CdtTrfTxInf (as `walk_transactions` gives it) as a Transaction, or why it cannot be one;
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
            problems.append(f"{_local(amount_elem.tag)} not a number: {amount_elem.text!r}")
        currency = (amount_elem.get("Ccy") or "").strip().upper() or None
    timestamp = None
    for holder, field in ((None, "IntrBkSttlmDt"), (grp_hdr, "IntrBkSttlmDt"), (grp_hdr, "CreDtTm")):
        value = paths.text(field) if holder is None else _text(holder.find(f"{{*}}{field}"))  # header: fallback
        if value is not None:
            try:
                timestamp = parse_timestamp(value)
            except ValueError:
                problems.append(f"{field} not a date: {value!r}")
            break
    if problems:
        return quarantine(ctx, position, serialise(tx), "; ".join(problems))
    parties = [pooled(pool, _party(paths, tag, role, where)) for tag, role, where in _PARTIES]
    ustrd = [" ".join(e.text.split()) for e in paths.every if e.text]
    # positionally: Transaction's fields after the file's four (keywords cost a Python-level call)
    return Transaction(*ctx, position, tx_id or "", timestamp, amount, pooled(pool, currency),
                       tuple([p for p in parties if p is not None]), " ".join(u for u in ustrd if u) or None,
                       None, FILE_FORMAT)  # fmt: skip


def read_pacs008(path: str, ctx: FileContext) -> Iterator[Transaction | QuarantineRow]:
    """Every CdtTrfTxInf of a pacs.008 file, as a Transaction or a QuarantineRow.

    A CdtTrfTxInf without a usable id or amount (or with an unreadable amount or date) is
    quarantined with the element serialised (namespace prefixes dropped) as raw_record.
    Raises FeedError when the file is not XML, is truncated, declares a DTD, or holds no
    FIToFICstmrCdtTrf message (e.g. a pain.001 file); no row is yielded then.
    """
    pool: dict[Any, Any] = {}
    rows = walk_transactions(path, lambda position, tx, grp_hdr: cdt_trf_tx(tx, grp_hdr, ctx, position, pool))
    yield from (row for _, row in rows)
