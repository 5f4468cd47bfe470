"""Per-file validation reports: GX's validation result as JSON, and a static HTML page of it.

`<reports_dir>/country=CC/<source_file with / as __>.validation.json` and `.html`, written
atomically (temporary file, then rename). The HTML is rendered here from the JSON (GX's own
data docs builder needs a file-backed context); every value from a feed is untrusted, so each
is made spreadsheet-safe (no leading = + - @ tab or CR: OWASP "CSV injection", which Excel also
applies to HTML tables it opens) and then HTML-escaped.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from typing import Any

MAX_LISTED = 1_000  # unexpected values / indices kept per expectation in the JSON report
FAILED_ONLY = "BOOLEAN_ONLY, then COMPLETE for the expectations that failed"  # a result's meta.result_format
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LISTS = ("unexpected_list", "unexpected_index_list", "partial_unexpected_list", "partial_unexpected_index_list",
          "partial_unexpected_counts")  # fmt: skip


def spreadsheet_safe(value: Any) -> str:
    """A value as text a spreadsheet will not run as a formula ('' for None; numbers as is)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> str:
    """A value as HTML text: spreadsheet-safe, then every markup character escaped."""
    return html.escape(spreadsheet_safe(value), quote=True)


def report_paths(reports_dir: str, country: str, source_file: str) -> tuple[str, str]:
    """(json, html) paths of one file's report; the file name never leaves the country folder."""
    name = source_file.replace("/", "__").replace(os.sep, "__").lstrip(".") or "file"
    base = os.path.join(reports_dir, f"country={country}", name)
    return f"{base}.validation.json", f"{base}.validation.html"


def trimmed(result: dict[str, Any]) -> dict[str, Any]:
    """GX's result with each per-expectation list cut to MAX_LISTED entries (flagged)."""
    out = dict(result)
    out["results"] = []
    for r in result.get("results", []):
        r = dict(r)
        inner = dict(r.get("result") or {})
        for key in _LISTS:
            if isinstance(inner.get(key), list) and len(inner[key]) > MAX_LISTED:
                inner[key] = inner[key][:MAX_LISTED]
                inner[f"{key}_truncated"] = True
        inner.pop("unexpected_index_query", None)  # a pandas expression naming every failing index
        r["result"] = inner
        out["results"].append(r)
    return out


def _write_atomic(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_report(reports_dir: str, report: dict[str, Any]) -> tuple[str, str]:
    """Write one file's report (see `file_report`) as JSON and HTML; returns both paths."""
    info = report["meta"]["fiu_screen"]
    json_path, html_path = report_paths(reports_dir, info["country"], info["source_file"])
    _write_atomic(json_path, json.dumps(report, indent=1, sort_keys=True, default=str))
    _write_atomic(html_path, render_html(report))
    return json_path, html_path


def file_report(info: dict[str, Any], result: dict[str, Any] | None) -> dict[str, Any]:
    """GX's validation result for one file (or an empty one when nothing was validated), with
    the file's reconciliation under meta.fiu_screen."""
    base = trimmed(result) if result is not None else {
        "success": None, "results": [], "statistics": {"evaluated_expectations": 0}, "meta": {}}
    return {**base, "meta": {**base.get("meta", {}), "fiu_screen": info}}


def _row(*cells: Any, tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{cell(c)}</{tag}>" for c in cells) + "</tr>"


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page: the file's counts, then one row per expectation with examples."""
    info = report["meta"]["fiu_screen"]
    title = f"Validation of {info['country']}/{info['source_file']} ({info['business_date']})"
    facts = "".join(_row(k, info.get(k)) for k in sorted(info))
    rows = [_row("expectation", "column", "success", "unexpected", "examples", tag="th")]
    for r in report.get("results", []):
        config, inner = r.get("expectation_config", {}), r.get("result") or {}
        kwargs = config.get("kwargs", {})
        examples = ", ".join(repr(v)[:80] for v in (inner.get("partial_unexpected_list") or [])[:10])
        rows.append(_row(config.get("type"), kwargs.get("column"), r.get("success"),
                         inner.get("unexpected_count"), examples))  # fmt: skip
    stats = report.get("statistics", {})
    counted_failed = report.get("meta", {}).get("result_format") == FAILED_ONLY
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{cell(title)}</title><style>table{{border-collapse:collapse}}td,th{{border:1px solid #999;"
        f"padding:2px 6px;text-align:left}}</style></head><body>\n<h1>{cell(title)}</h1>\n"
        f"<p>success: {cell(report.get('success'))}; expectations evaluated: "
        f"{cell(stats.get('evaluated_expectations'))}, failed: {cell(stats.get('unsuccessful_expectations'))}"
        f"{'; rows counted and listed for the failed expectations only' if counted_failed else ''}</p>\n"
        f"<table>{facts}</table>\n<h2>Expectations</h2>\n<table>{''.join(rows)}</table>\n</body></html>\n"
    )
