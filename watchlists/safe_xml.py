"""Safe, streamed reading of XML watchlists (EU and UN files; OFAC has its own pass).

The guards are the OFAC reader's, reused: a file is opened by its magic bytes (plain, `.gz`,
`.bz2`; an extension promising compression must match), and a DOCTYPE or ENTITY declaration in
the first 16 KB is refused, as is a file whose root element does not start there, so no entity
can ever be expanded. Records are streamed with `XMLPullParser` and cleared once read, so a
20 MB EU file never sits in memory as a tree. Tags are matched by local name (any namespace).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from typing import cast

from watchlists.errors import WatchlistError
from watchlists.ofac_xml import _HEAD, _check_prolog, _open  # the shared guards (see the docstring)

_CHUNK = 64 * 1024


def local(tag: str) -> str:
    """A tag without its `{namespace}`."""
    return tag[tag.rfind("}") + 1 :]


def iter_records(path: str, record_tags: set[str], what: str) -> Iterator[tuple[str, ET.Element]]:
    """("root", root element) once, then ("record", element) for each element named in
    `record_tags`, cleared after the consumer has had it.

    Raises WatchlistError (naming `what`, e.g. "UN consolidated XML") for a refused prolog,
    malformed or truncated XML, or a corrupt archive.
    """
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start", "end"))
    seen_root = False
    try:
        with _open(path) as stream:
            chunk = stream.read(_HEAD)
            _check_prolog(path, chunk)
            while chunk:
                parser.feed(chunk)
                for event, elem in cast("Iterator[tuple[str, ET.Element]]", parser.read_events()):
                    if event == "start" and not seen_root:
                        seen_root = True
                        yield "root", elem
                    elif event == "end" and local(elem.tag) in record_tags:
                        yield "record", elem
                        elem.clear()
                chunk = stream.read(_CHUNK)
            parser.close()
    except WatchlistError:
        raise
    except (ET.ParseError, EOFError, OSError, zlib.error, ValueError) as exc:
        raise WatchlistError(path, f"cannot parse {what}: {exc}") from exc


def child_text(elem: ET.Element, name: str) -> str | None:
    """Whitespace-collapsed text of the first direct child named `name`, None when blank."""
    for child in elem:
        if local(child.tag) == name:
            text = " ".join((child.text or "").split())
            return text or None
    return None


def children(elem: ET.Element, name: str) -> list[ET.Element]:
    """The direct children named `name` (any namespace)."""
    return [child for child in elem if local(child.tag) == name]
