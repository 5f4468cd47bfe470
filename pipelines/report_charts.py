"""The run report's plots: matplotlib figures rendered to PNG data URIs (no files, no network).

Uses the object-oriented `Figure` API (no pyplot state, no GUI backend), so it is safe in a
scheduler, a worker or a thread. Labels come from data: `$` is escaped so matplotlib never
reads a label as mathtext.
"""

from __future__ import annotations

import base64
import io
from typing import Mapping, Sequence

import pandas as pd

PALETTE = ("#1f5f8b", "#e07b39", "#4c9a5f", "#b8445a", "#7a5fa6", "#8c8c3c", "#3c8c8c", "#a0522d")


def _label(text: object) -> str:
    return str(text).replace("$", r"\$")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float = 5.6, height: float = 3.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def warm_up() -> None:
    """Import matplotlib and draw one small chart, so that the report's first charts do not pay
    for matplotlib's imports and fonts (the report after a 1M run: 0.87 s cold, 0.66 s after
    this). A run calls it in a thread while it waits for its worker processes to start; any
    failure is left for the report itself to meet."""
    try:
        fig, ax = _figure(1.0, 1.0)
        ax.bar([_label("x")], [1.0], color=PALETTE[0], label="x")
        ax.set_title("x")
        ax.legend(frameon=False, fontsize=8)
        _png(fig)
    except Exception:  # noqa: BLE001, S110 - only a head start: the report draws and reports for itself
        pass


def alerts_by_country_chart(counts: pd.DataFrame, countries: Sequence[str]) -> str:
    """Stacked bars: alerts per country, one colour per list source. `counts`: country × list_source."""
    fig, ax = _figure()
    bottom = [0.0] * len(countries)
    for i, source in enumerate(counts.columns):
        values = [float(counts[source].get(c, 0)) for c in countries]
        ax.bar([_label(c) for c in countries], values, bottom=bottom, label=_label(source),
               color=PALETTE[i % len(PALETTE)])  # fmt: skip
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("alerts")
    ax.set_title("Alerts per country and list")
    if len(counts.columns):
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def score_histogram(scores_by_type: Mapping[str, Sequence[float]]) -> str:
    """Histogram of alert scores (0–100), one series per match type."""
    fig, ax = _figure()
    series = [(k, [float(s) for s in v]) for k, v in sorted(scores_by_type.items()) if len(v)]
    low = min([80.0] + [min(v) for _, v in series])
    bins = list(range(int(low) // 2 * 2, 102, 2))
    if series:
        ax.hist([v for _, v in series], bins=bins, stacked=True, label=[_label(k) for k, _ in series],
                color=[PALETTE[i % len(PALETTE)] for i in range(len(series))])  # fmt: skip
        ax.legend(frameon=False, fontsize=8)
    else:
        ax.text(0.5, 0.5, "no alerts", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("score")
    ax.set_ylabel("alerts")
    ax.set_title("Score distribution")
    return _png(fig)
