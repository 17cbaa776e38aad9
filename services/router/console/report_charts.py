"""The geometry of the report page's bar charts (SVG, no script).

A chart is drawn 360 units wide, so that on a 390 px phone it shows about 1:1 and its 13 px
text stays readable (the page caps its width on a desktop). Each label has its own lines
above its bar rather than a column beside it: a long label is wrapped at words, never cut
short unless it needs more than two lines."""

from collections.abc import Sequence
from dataclasses import dataclass
from textwrap import wrap

from services.router.reports.figures import AgencyLine, Count

WIDTH = 360  # viewBox units
BAR_WIDTH = 300.0  # the longest bar; the rest of the width holds its figure
LINE = 16  # one line of a 13 px label
BAR = 14  # a bar's height
GAP = 12  # below a bar (and its figure), before the next label
LABEL_CHARS = 42  # a line of 13 px text that fits the width (DejaVu Sans, the widest)
LABEL_LINES = 2
INSET = 2  # the labels' left edge: some glyphs ("T") reach left of their origin
LEGEND = 28  # the legend's strip under a stacked chart
ON_TIME, LATE, OPEN = "#2e7d32", "#c62828", "#9e9e9e"


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class Bar:
    """One bar and its label, at `y` in the chart; `figure` is written after the bar."""

    lines: tuple[str, ...]
    y: int
    segments: tuple[Segment, ...]
    figure: str = ""

    @property
    def bar_y(self) -> int:
        return LINE * len(self.lines) + 3

    @property
    def end(self) -> float:
        return sum(s.width for s in self.segments)

    @property
    def baselines(self) -> tuple[tuple[int, str], ...]:
        """Each line of the label with the y of its baseline."""
        return tuple((14 + LINE * n, line) for n, line in enumerate(self.lines))

    @property
    def label_x(self) -> int:
        return INSET

    @property
    def figure_x(self) -> float:
        return self.end + 4

    @property
    def figure_y(self) -> int:
        return self.bar_y + BAR - 2

    @property
    def height(self) -> int:
        return BAR


@dataclass(frozen=True)
class LegendKey:
    x: int
    fill: str
    label: str


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int
    legend: tuple[LegendKey, ...] = ()
    width: int = WIDTH

    @property
    def legend_y(self) -> int:
        return self.height - LEGEND + 10


STACKED_LEGEND = (
    LegendKey(0, ON_TIME, "Đúng hạn"),
    LegendKey(90, LATE, "Quá hạn"),
    LegendKey(172, OPEN, "Đang xử lý"),
)


def label_lines(label: str) -> tuple[str, ...]:
    """The label on at most two lines, broken between words."""
    lines = wrap(
        label,
        width=LABEL_CHARS,
        max_lines=LABEL_LINES,
        placeholder=" …",
        break_on_hyphens=False,
    )
    return tuple(lines) or ("",)


def _laid_out(rows: Sequence[tuple[str, tuple[Segment, ...], str]]) -> list[Bar]:
    placed: list[Bar] = []
    y = 0
    for label, segments, figure in rows:
        bar = Bar(label_lines(label), y, segments, figure)
        placed.append(bar)
        y = bar.y + bar.bar_y + BAR + GAP
    return placed


def _height(bars: list[Bar]) -> int:
    # 4 below the last bar: room for the descent of the figure written after it
    return bars[-1].y + bars[-1].bar_y + BAR + 4 if bars else 0


def bars(rows: list[Count]) -> Chart:
    """One bar a row, its length proportional to its count, the count after it."""
    scale = BAR_WIDTH / (max((r.count for r in rows), default=0) or 1)
    placed = _laid_out(
        [(r.label, (Segment(0, r.count * scale, ON_TIME),), str(r.count)) for r in rows]
    )
    return Chart(tuple(placed), _height(placed))


def stacked(lines: list[AgencyLine]) -> Chart:
    """Per agency: answered on time, answered late, in hand now (one scale for all)."""
    shown = [s for s in lines if s.answered or s.open_now]
    scale = BAR_WIDTH / (max((s.answered + s.open_now for s in shown), default=0) or 1)
    rows: list[tuple[str, tuple[Segment, ...], str]] = []
    for s in shown:
        on_time, late, open_now = s.on_time * scale, s.late * scale, s.open_now * scale
        segments = (
            Segment(0, on_time, ON_TIME),
            Segment(on_time, late, LATE),
            Segment(on_time + late, open_now, OPEN),
        )
        rows.append((s.name, segments, ""))
    placed = _laid_out(rows)
    if not placed:
        return Chart((), 0)
    return Chart(tuple(placed), _height(placed) + LEGEND, STACKED_LEGEND)
