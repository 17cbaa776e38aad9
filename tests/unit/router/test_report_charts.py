"""The geometry of the report page's charts: labels on their own lines above the bars,
wrapped between words, every bar below the one before, the longest one full length."""

from services.router.console.report_charts import (
    BAR_WIDTH,
    LABEL_CHARS,
    WIDTH,
    bars,
    label_lines,
    stacked,
)
from services.router.reports.figures import AgencyLine, Count

REASON = "Là khiếu nại, tố cáo (không thuộc phạm vi phản ánh, kiến nghị)"


def test_a_long_label_is_wrapped_between_words_and_kept_whole() -> None:
    lines = label_lines(REASON)
    assert len(lines) == 2 and all(len(line) <= LABEL_CHARS for line in lines)
    assert " ".join(lines) == REASON
    assert label_lines("Thư điện tử") == ("Thư điện tử",)


def test_a_label_longer_than_two_lines_ends_with_an_ellipsis() -> None:
    lines = label_lines(" ".join([REASON] * 3))
    assert len(lines) == 2 and lines[-1].endswith("…")


def test_bars_stack_down_the_chart_without_touching() -> None:
    chart = bars([Count("Thư điện tử", 3), Count(REASON, 6), Count("Đường dây nóng", 0)])
    short, long, empty = chart.bars
    assert [b.end for b in chart.bars] == [BAR_WIDTH / 2, BAR_WIDTH, 0]
    assert long.figure == "6" and long.figure_x < WIDTH
    assert long.bar_y > short.bar_y  # two lines of label above the bar, not one
    for above, below in zip(chart.bars, chart.bars[1:], strict=False):
        assert below.y > above.y + above.bar_y + above.height
    assert chart.height > empty.y + empty.bar_y + empty.height


def test_the_agencies_chart_has_three_parts_and_a_legend() -> None:
    busy = AgencyLine("STC", "Sở Tài chính", answered=3, on_time=2, late=1, open_now=1)
    idle = AgencyLine("SXD", "Sở Xây dựng")
    chart = stacked([busy, idle])
    [bar] = chart.bars  # an agency with nothing answered nor in hand is left out
    assert [round(s.width) for s in bar.segments] == [150, 75, 75]
    assert [s.x for s in bar.segments] == [0, 150, 225]
    assert [k.label for k in chart.legend] == ["Đúng hạn", "Quá hạn", "Đang xử lý"]
    assert bar.y + bar.bar_y + bar.height < chart.legend_y < chart.height
    assert stacked([idle]).bars == ()
