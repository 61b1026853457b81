"""The team's progress as a picture for the weekly summary: one bar per member and credential (PNG).

Rendered headless with matplotlib's Agg canvas on a fresh ``Figure`` (no pyplot
state, so it is safe from any thread). Each bar is the share of the required
hours counted, coloured by status, with "18 of 24 h" beside it; members who need
help come first, as in ``/ce team``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cebot.domain.hours import Quarters, format_hours

STATUS_COLOURS = {
    "overdue": "#c0392b",
    "due_soon": "#e67e22",
    "behind_pace": "#f1c40f",
    "needs_info": "#95a5a6",
    "not_started": "#85c1e9",
    "on_pace": "#2e86c1",
    "complete": "#27ae60",
    "exempt": "#bdc3c7",
}
STATUS_LABELS = {"overdue": "Overdue", "due_soon": "Due soon", "behind_pace": "Behind pace",
                 "needs_info": "Needs info", "not_started": "Not started", "on_pace": "On pace",
                 "complete": "Complete", "exempt": "Exempt"}
STATUS_ORDER = ("overdue", "due_soon", "behind_pace", "needs_info", "not_started", "on_pace", "complete", "exempt")
SUMMARY_CHART_KEY = "_cebot_chart_png"
"""Key of the chart's PNG bytes in a weekly-summary payload; the sender uploads it after the message."""
MAX_ROWS = 40
"""More rows than this are summed up in a last line (the summary text lists everyone who needs help)."""
LABEL_MAX = 34


@dataclass(frozen=True)
class ChartRow:
    """One member's progress on one credential."""

    member: str
    credential: str
    counted: Quarters
    required: Quarters
    status: str

    @property
    def share(self) -> float:
        """Counted over required, 0 to 1 (1 when nothing is required, 0 while the cycle is unknown)."""
        if self.required <= 0:
            return 0.0 if self.status == "needs_info" else 1.0
        return max(0.0, min(self.counted / self.required, 1.0))


def _label(row: ChartRow) -> str:
    text = f"{row.member} · {row.credential}"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _value_text(row: ChartRow) -> str:
    if row.status == "needs_info":
        return f"{format_hours(row.counted)} h, deadline unknown"
    if row.required <= 0:
        return f"{format_hours(row.counted)} h (none required)"
    return f"{format_hours(row.counted)} of {format_hours(row.required)} h"


def ordered(rows: Sequence[ChartRow]) -> list[ChartRow]:
    """Who needs help first, then by share done (lowest first), then by name."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.status, 9), r.share, r.member.lower(), r.credential))


def render_team_chart(rows: Sequence[ChartRow], *, title: str = "CE progress by member", dpi: int = 144) -> bytes:
    """The chart as PNG bytes (a short "nobody is tracking" picture when ``rows`` is empty)."""
    shown = ordered(rows)
    extra = len(shown) - MAX_ROWS
    if extra > 0:
        shown = shown[:MAX_ROWS]
    n = max(len(shown), 1)
    fig = Figure(figsize=(8.0, 1.3 + 0.36 * n + (0.3 if extra > 0 else 0)), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", color="#2f3e46")
    if not shown:
        ax.text(0.5, 0.5, "Nobody is tracking a licence yet.", ha="center", va="center", fontsize=11,
                color="#555555", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        y = list(range(len(shown)))[::-1]
        ax.barh(y, [1.0] * len(shown), color="#eceff1", height=0.62, zorder=1)
        ax.barh(y, [r.share for r in shown], color=[STATUS_COLOURS.get(r.status, "#7f8c8d") for r in shown],
                height=0.62, zorder=2)
        for yi, r in zip(y, shown, strict=True):
            ax.text(1.02, yi, _value_text(r), va="center", ha="left", fontsize=8.5, color="#333333")
        ax.set_yticks(y, [_label(r) for r in shown], fontsize=8.5)
        ax.set_xlim(0, 1.32)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.axvline(1.0, color="#90a4ae", linewidth=0.8, linestyle="--", zorder=3)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Share of required hours counted", fontsize=8.5, color="#555555")
        present = [s for s in STATUS_ORDER if any(r.status == s for r in shown)]
        fig.legend(handles=[Patch(color=STATUS_COLOURS[s], label=STATUS_LABELS[s]) for s in present],
                   loc="outside lower center", ncols=len(present), fontsize=8, frameon=False)
        if extra > 0:
            ax.set_title(f"…and {extra} more in /ce team", loc="right", fontsize=8, color="#555555")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
