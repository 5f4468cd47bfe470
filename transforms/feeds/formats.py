"""Content sniffing of feed files: which message a file's first bytes hold.

Pure functions on bytes (no file access), used by `common.sniff_format` once the folder and
extension have had their say: ISO 20022 messages by namespace or message element, SWIFT MT by
its block headers or a `:20:` … `:32A:` text block, IVMS101 travel-rule JSON by its keys.
"""

from __future__ import annotations

import re

XML_MESSAGES = (  # (format, message element, namespace/version id)
    ("pacs.008", b"FIToFICstmrCdtTrf", rb"pacs\.008\.\d{3}\.\d{2}"),
    ("pain.001", b"CstmrCdtTrfInitn", rb"pain\.001\.\d{3}\.\d{2}"),
    ("camt.053", b"BkToCstmrStmt", rb"camt\.053\.\d{3}\.\d{2}"),
)
_BY_ELEMENT = [(fmt, re.compile(rb"<(?:[\w.-]+:)?" + element + rb"[\s/>]")) for fmt, element, _ in XML_MESSAGES]
_BY_VERSION = [(fmt, re.compile(version)) for fmt, _, version in XML_MESSAGES]
MT_EXTENSIONS = (".txt", ".fin", ".mt", ".mt103", ".dos", ".rje", ".swift")
_MT_HEADER = re.compile(rb"\{1:F\d\d[A-Z0-9]{12}")
_MT_TEXT = re.compile(rb"(?m)^:20:.*?^:32A:", re.DOTALL)
_IVMS_KEYS = re.compile(rb'"(?:originatorPersons|beneficiaryPersons|originatingVASP|beneficiaryVASP)"\s*:')
_ROOT = re.compile(rb"<([\w.:-]+)[^>]*?\sxmlns=\"([^\"]*)\"")


def xml_message(head: bytes) -> tuple[str | None, str]:
    """(format, "") for an ISO 20022 message this project reads, else (None, what it is)."""
    for fmt, pattern in _BY_ELEMENT + _BY_VERSION:  # the message element is the surer sign
        if pattern.search(head):
            return fmt, ""
    root = _ROOT.search(head)
    what = f"<{root.group(1).decode()}> in {root.group(2).decode()}" if root else "no namespace"
    return None, f"XML is not a pacs.008, pain.001 or camt.053 message ({what})"


def is_mt(head: bytes) -> bool:
    """A SWIFT FIN file: a basic header block `{1:F01…`, or a bare `:20:` … `:32A:` text block."""
    body = head.lstrip(b"\x01\xef\xbb\xbf \t\r\n$")
    return bool(_MT_HEADER.match(body) or _MT_TEXT.search(head))


def is_ivms101(head: bytes) -> bool:
    """IVMS101 JSON: an object (or array, or lines) naming originator/beneficiary persons or VASPs."""
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return body[:1] in (b"{", b"[") and bool(_IVMS_KEYS.search(head))
