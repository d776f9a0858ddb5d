"""Generic drawing of observations (thermosym/report/plots.py): what is drawn, what is left out, reproducibility."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer

from thermosym.report.plots import (
    MAX_POINTS,
    figure_svg,
    inline_svg,
    observation_figure,
    observation_svg,
    prepare_observation,
    svg_reference,
)


def _obs(series: dict[str, Any], **flags: Any) -> dict[str, Any]:
    return {"name": "o", "title": "t", "x_label": "x", "y_label": "y", "series": series, **flags}


def test_points_with_error_bars_and_an_exact_line() -> None:
    x = [0.5, 1.0, 2.0, 4.0]
    obs = _obs(
        {
            "exact": {"x": x, "y": [1.0, 2.0, 3.0, 4.0], "style": "line"},
            "measured": {"x": x, "y": [1.1, 1.9, 3.2, 3.9], "yerr": [0.1, 0.2, 0.3, 0.4]},
        },
        log_x=True,
    )
    fig, prepared = observation_figure(obs)
    assert fig is not None and prepared.problems == ()
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["exact", "measured"]
    (container,) = ax.containers  # one errorbar series
    assert isinstance(container, ErrorbarContainer)
    segments = container.lines[2][0].get_segments()
    # each error bar spans y ± yerr at its point
    heights = [seg[1][1] - seg[0][1] for seg in segments]
    assert heights == pytest.approx([0.2, 0.4, 0.6, 0.8], abs=1e-12)
    exact_line = ax.get_lines()[0]
    assert np.asarray(exact_line.get_xdata()).tolist() == x and exact_line.get_marker() in ("None", None, "")


def test_missing_and_non_positive_values_are_left_out_and_counted() -> None:
    obs = _obs({"s": {"x": [0.0, 1.0, 2.0, 3.0, None], "y": [1.0, None, 3.0, -1.0, 2.0]}}, log_x=True, log_y=True)
    prepared = prepare_observation(obs)
    (s,) = prepared.series
    assert s.x == (2.0,) and s.y == (3.0,)
    assert prepared.problems == ("series 's': 4 of 5 points missing or non-positive on a log axis, not drawn",)
    linear = prepare_observation(_obs({"s": {"x": [0.0, 1.0, 2.0, 3.0, None], "y": [1.0, None, 3.0, -1.0, 2.0]}}))
    assert linear.series[0].x == (0.0, 2.0, 3.0)  # on linear axes only the missing values go


def test_malformed_series_are_reported_not_raised() -> None:
    prepared = prepare_observation(
        _obs(
            {"short": {"x": [1, 2], "y": [1]}, "nolists": {"x": 3, "y": 4}, "odd": {"x": [1], "y": [2], "style": "bar"}}
        )
    )
    assert [s.label for s in prepared.series] == ["odd"]
    assert prepared.series[0].style == "points"
    assert len(prepared.problems) == 3
    fig, _ = observation_figure(_obs({"short": {"x": [1, 2], "y": [1]}}))
    assert fig is None


def test_long_series_are_thinned_evenly_keeping_the_ends() -> None:
    n = 5 * MAX_POINTS + 3
    prepared = prepare_observation(_obs({"run": {"x": list(range(1, n + 1)), "y": [0.5] * n, "style": "line"}}))
    (s,) = prepared.series
    assert len(s.x) <= MAX_POINTS + 1
    assert s.x[0] == 1 and s.x[-1] == n
    steps = np.diff(np.array(s.x[:-1]))
    assert len(set(steps.tolist())) == 1  # evenly spaced
    assert any("evenly thinned" in p for p in prepared.problems)


def test_string_x_values_make_a_categorical_axis() -> None:
    fig, prepared = observation_figure(_obs({"m": {"x": ["a", "b", "c"], "y": [1.0, 2.0, 3.0]}}, log_x=True))
    assert fig is not None and prepared.categorical_x
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xscale() == "linear" and "log_x ignored" in prepared.problems[0]


def test_log_ticks_are_unicode_powers_of_ten() -> None:
    fig, _ = observation_figure(_obs({"m": {"x": [1e-3, 1e-1, 10.0], "y": [1.0, 2.0, 3.0]}}, log_x=True))
    assert fig is not None
    svg = figure_svg(fig)
    assert "10⁻²" in svg and "10⁻¹" in svg and "$" not in svg


def test_unpaired_dollars_in_labels_do_not_break_mathtext() -> None:
    fig, _ = observation_figure({**_obs({"cost $": {"x": [1], "y": [1]}}), "title": "costs in $", "x_label": "$x$"})
    assert fig is not None
    assert "costs in $" in figure_svg(fig)


def test_svg_is_reproducible_and_dateless() -> None:
    obs = _obs({"m": {"x": [1.0, 2.0, 3.0], "y": [1.0, 4.0, 9.0], "yerr": [0.1, 0.2, 0.3]}})
    first, _ = observation_svg(obs)
    second, _ = observation_svg(obs)
    assert first is not None and first == second
    assert "<dc:date>" not in first


def test_inline_svg_prefixes_every_id_and_reference() -> None:
    obs = _obs({"a": {"x": [1.0, 2.0], "y": [1.0, 2.0], "yerr": [0.1, 0.1]}, "b": {"x": [1, 2], "y": [2, 1]}})
    svg, _ = observation_svg(obs)
    assert svg is not None
    one, two = inline_svg(svg, "fig-one", "A & B"), inline_svg(svg, "fig-two")
    ids_one = set(re.findall(r'\bid="([^"]+)"', one))
    ids_two = set(re.findall(r'\bid="([^"]+)"', two))
    assert ids_one and not ids_one & ids_two  # two copies on one page share no id
    references = re.findall(r'(?:url\(#|href="#)([^")]+)', one)
    assert references and set(references) <= ids_one  # every reference resolves inside the same drawing
    root = ET.fromstring(one)
    assert root.get("role") == "img" and root.get("aria-label") == "A & B"
    assert "<?xml" not in one and "<!--" not in one and "<metadata" not in one


def test_svg_reference_draws_the_first_copy_again() -> None:
    svg, _ = observation_svg(_obs({"a": {"x": [1.0, 2.0], "y": [1.0, 2.0]}}))
    assert svg is not None
    first = inline_svg(svg, "fig-one")
    again = svg_reference(svg, "fig-one", "A")
    (target,) = re.findall(r'<use href="#([^"]+)"', again)
    assert f'id="{target}"' in first  # the top group of the first copy
    root = ET.fromstring(again)
    original = ET.fromstring(svg)
    assert [root.get(a) for a in ("width", "height", "viewBox")] == [
        original.get(a) for a in ("width", "height", "viewBox")
    ]
    with pytest.raises(ValueError, match="no <svg> root"):
        svg_reference("<p>not svg</p>", "x")
