"""The dashboards' SVG charts: figures shown, labels escaped, empty data said."""

from decimal import Decimal

from portal.charts import bar_chart, line_chart, stacked_bar_chart


def test_bar_chart_shows_each_value_in_the_drawing_and_the_table():
    """Every value is written on its bar and in the data table, to the cent."""
    html = bar_chart(
        "Duty per month",
        ["Jan 2026", "Feb 2026"],
        [Decimal("12.30"), Decimal("1004.05")],
        unit="EUR",
    )
    assert '<svg role="img"' in html
    assert "<title" in html and "<desc" in html
    assert html.count("EUR 12.30") >= 2  # on the bar and in the table
    assert "EUR 1,004.05" in html
    assert '<th scope="row">Feb 2026</th>' in html
    assert "<details>" in html


def test_labels_and_titles_are_escaped():
    """A label cannot inject markup into the page."""
    html = stacked_bar_chart(
        "<b>Volumes</b>",
        ["<script>alert(1)</script>"],
        {"Accepted & released": [3], '"quoted"': [1]},
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Volumes&lt;/b&gt;" in html
    assert "Accepted &amp; released" in html
    assert "&quot;quoted&quot;" in html


def test_stacked_bars_have_a_text_legend_and_totals():
    """Each series is named in a legend; each bar shows its total."""
    html = stacked_bar_chart(
        "Declarations per month",
        ["Mar", "Apr"],
        {"Accepted": [2, 5], "Rejected": [1, 0]},
    )
    assert 'class="chart-legend"' in html
    assert "<span>Accepted</span>" in html and "<span>Rejected</span>" in html
    assert ">3</text>" in html  # Mar total
    assert ">5</text>" in html  # Apr total
    # The second series is hatched, not only differently coloured.
    assert "<pattern" in html


def test_empty_data_says_no_data_yet():
    """No labels, or nothing but zeros, shows a plain message instead of axes."""
    for html in (
        bar_chart("Fees", [], []),
        bar_chart("Fees", ["Jan", "Feb"], [0, 0]),
        stacked_bar_chart("Volumes", ["Jan"], {"Accepted": [0]}),
        line_chart("Acceptance", ["Jan"], {"Rate": [None]}),
    ):
        assert "No data yet" in html
        assert "<svg" not in html


def test_line_chart_leaves_gaps_for_missing_values():
    """A month without a value is shown as a gap and a dash in the table."""
    html = line_chart(
        "Acceptance rate",
        ["Jan", "Feb", "Mar"],
        {"Acceptance rate": [Decimal("50.00"), None, Decimal("100.00")]},
        unit="%",
        maximum=100,
    )
    assert "50.00%" in html and "100.00%" in html
    assert "<td>–</td>" in html
    assert "<polyline" not in html  # no two neighbouring points to join
