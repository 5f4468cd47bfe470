"""Text from the feeds and lists is untrusted: escape it for HTML, defuse it for spreadsheets.

A party name such as `=HYPERLINK("http://x","y")` must show as text in the report and in any
CSV an analyst opens in Excel or LibreOffice (OWASP "CSV injection"): a cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import html
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """A value as spreadsheet-safe text ('' for None; numbers are not touched)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def html_text(value: Any) -> str:
    """A value as HTML text: spreadsheet-safe first, then every markup character escaped."""
    return html.escape(cell_text(value), quote=True)
