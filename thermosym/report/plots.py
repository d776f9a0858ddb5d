"""Plots of observations: any observation's series drawn one way, into reproducible SVG.

An observation (``thermosym.validation.registry.Observation.to_dict()``, as it appears under a reading's
``observations`` in the results JSON) is a title, axis labels, ``log_x``/``log_y`` and ``series``: a mapping
from a label to ``{"x": [...], "y": [...], "yerr": [...] (optional), "xerr": [...] (optional), "style":
"points" | "line"}``. Every plot of the report — measured against exact C(T), the two sides of the
fluctuation-response identity, log P(σ)/P(−σ) against σ, a Jarzynski running estimate against ΔF, T_eff against
learning rate and batch size, a finite-size-scaling attempt, C against width, depth and data size — is such an
observation and is drawn by :func:`observation_figure`:

* ``points``: markers with error bars (``yerr``, ``xerr``), not joined; ``line``: a line without markers (exact
  curves, running estimates). Lines are dark and dashed in turn, points coloured and marked in turn, so that
  series stay apart in grey-scale print too.
* Missing values (``None``, which is how the JSON stores non-finite numbers) are left out; on a log axis so are
  non-positive values; a line of more than :data:`MAX_POINTS` points is thinned to every k-th point. What was
  left out is counted in :attr:`PreparedObservation.problems` and printed under the figure.
* x values that are strings make a categorical axis.

:func:`figure_svg` writes a figure as SVG without pyplot (no global state, no backend switch): text as
``<text>`` elements (``svg.fonttype = "none"``: small files, selectable text), a fixed ``svg.hashsalt`` and no
date in the metadata, so that the same observation gives the same bytes (matplotlib's "reproducible output"
settings, https://matplotlib.org/stable/users/explain/customizing.html, ``svg.hashsalt``).
:func:`inline_svg` prepares that SVG for embedding in an HTML page: no XML prolog, comments or metadata, and every
``id`` prefixed, since several inline SVGs share one id space.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Above this many points a series is thinned to every k-th point (the SVG stays small, the page fast).
MAX_POINTS = 1500
POINT_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_COLOURS = ("#212121", "#1565c0", "#6a1b9a", "#00838f", "#5d4037")
LINE_STYLES = ("-", "--", "-.", ":")
FIGURE_SIZE = (6.0, 3.9)
SVG_SALT = "thermosym-report"
#: matplotlib settings of every report figure
RC: dict[str, Any] = {
    "svg.hashsalt": SVG_SALT,
    "svg.fonttype": "none",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
STYLES = ("points", "line")


def report_style(overrides: Mapping[str, Any] | None = None) -> AbstractContextManager[None]:
    """matplotlib's settings for report figures (:data:`RC`, then ``overrides``), as a context."""
    from matplotlib import rc_context

    settings: Any = {**RC, **(overrides or {})}  # matplotlib's stubs key rcParams by literal names
    return rc_context(settings)


@dataclass(frozen=True)
class PreparedSeries:
    """One series ready to draw: the points kept, their error bars, and the style."""

    label: str
    style: str
    x: tuple[Any, ...]
    y: tuple[float, ...]
    yerr: tuple[float, ...] | None
    xerr: tuple[float, ...] | None


@dataclass(frozen=True)
class PreparedObservation:
    """The drawable series of an observation, what could not be drawn, and the axis scales to use."""

    series: tuple[PreparedSeries, ...]
    problems: tuple[str, ...]
    categorical_x: bool
    log_x: bool
    log_y: bool


def _number(value: Any) -> float:
    """``value`` as a finite float, else NaN (``None``, strings, non-finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    v = float(value)
    return v if math.isfinite(v) else math.nan


def _errors(values: Any, n: int) -> list[float] | None:
    """Error bars: a list of ``n`` non-negative numbers (others become NaN, drawn without a bar), or None."""
    if not isinstance(values, list) or len(values) != n:
        return None
    out = [_number(v) for v in values]
    return [v if v >= 0 else math.nan for v in out]


def _thin(indices: list[int]) -> list[int]:
    """Every k-th index so that at most :data:`MAX_POINTS` remain (the last one always kept)."""
    if len(indices) <= MAX_POINTS:
        return indices
    stride = math.ceil(len(indices) / MAX_POINTS)
    kept = indices[::stride]
    return kept if kept[-1] == indices[-1] else [*kept, indices[-1]]


def _prepare_series(
    label: str, data: Any, categorical: bool, log_x: bool, log_y: bool, problems: list[str]
) -> PreparedSeries | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("x"), list) or not isinstance(data.get("y"), list):
        problems.append(f"series {label!r} not drawn: it needs lists x and y")
        return None
    xs, ys = data["x"], data["y"]
    if len(xs) != len(ys):
        problems.append(f"series {label!r} not drawn: x has {len(xs)} values, y has {len(ys)}")
        return None
    style = str(data.get("style", "points"))
    if style not in STYLES:
        problems.append(f"series {label!r}: unknown style {style!r}, drawn as points")
        style = "points"
    yerr, xerr = _errors(data.get("yerr"), len(ys)), _errors(data.get("xerr"), len(xs))
    x: list[Any]
    if categorical:
        x = [None if v is None else str(v) for v in xs]
        x_ok = [v is not None for v in x]
    else:
        x = [_number(v) for v in xs]
        x_ok = [not math.isnan(v) and (not log_x or v > 0) for v in x]
    y = [_number(v) for v in ys]
    keep = [i for i in range(len(y)) if x_ok[i] and not math.isnan(y[i]) and (not log_y or y[i] > 0)]
    if len(keep) < len(y):
        axis = " or non-positive on a log axis" if log_x or log_y else ""
        problems.append(f"series {label!r}: {len(y) - len(keep)} of {len(y)} points missing{axis}, not drawn")
    thinned = _thin(keep)
    if len(thinned) < len(keep):
        problems.append(f"series {label!r}: {len(thinned)} of {len(keep)} points drawn (evenly thinned)")
    if not thinned:
        return None
    return PreparedSeries(
        label=label,
        style=style,
        x=tuple(x[i] for i in thinned),
        y=tuple(y[i] for i in thinned),
        yerr=None if yerr is None else tuple(yerr[i] for i in thinned),
        xerr=None if xerr is None else tuple(xerr[i] for i in thinned),
    )


def prepare_observation(observation: Mapping[str, Any]) -> PreparedObservation:
    """The series of ``observation`` that can be drawn (see the module docstring), with the problems found."""
    series = observation.get("series") or {}
    problems: list[str] = []
    if not isinstance(series, Mapping):
        return PreparedObservation((), ("series is not a mapping of label to data",), False, False, False)
    categorical = any(
        isinstance(v, str)
        for s in series.values()
        if isinstance(s, Mapping) and isinstance(s.get("x"), list)
        for v in s["x"]
    )
    log_x, log_y = bool(observation.get("log_x")), bool(observation.get("log_y"))
    if categorical and log_x:
        problems.append("x values are categories: log_x ignored")
        log_x = False
    prepared = [_prepare_series(str(k), v, categorical, log_x, log_y, problems) for k, v in series.items()]
    return PreparedObservation(
        series=tuple(p for p in prepared if p is not None),
        problems=tuple(problems),
        categorical_x=categorical,
        log_x=log_x,
        log_y=log_y,
    )


def plain_text(label: str) -> str:
    """``label`` safe for matplotlib: mathtext (``$…$``) only when the dollars pair up, else escaped."""
    return label if label.count("$") % 2 == 0 else label.replace("$", r"\$")


def _categories(series: Sequence[PreparedSeries]) -> dict[Any, int]:
    order: dict[Any, int] = {}
    for s in series:
        for v in s.x:
            order.setdefault(v, len(order))
    return order


def _draw_series(ax: Any, prepared: PreparedObservation) -> None:
    categories = _categories(prepared.series) if prepared.categorical_x else {}
    n_points = n_lines = 0
    for s in prepared.series:
        x = [categories[v] for v in s.x] if categories else list(s.x)
        label = plain_text(s.label) or None
        if s.style == "line":
            ax.plot(
                x,
                s.y,
                color=LINE_COLOURS[n_lines % len(LINE_COLOURS)],
                linestyle=LINE_STYLES[n_lines % len(LINE_STYLES)],
                linewidth=1.6,
                label=label,
                zorder=2,
            )
            n_lines += 1
            continue
        colour = POINT_COLOURS[n_points % len(POINT_COLOURS)]
        ax.errorbar(
            x,
            s.y,
            yerr=None if s.yerr is None else list(s.yerr),
            xerr=None if s.xerr is None else list(s.xerr),
            fmt=MARKERS[n_points % len(MARKERS)],
            color=colour,
            markersize=4.5,
            capsize=2.5,
            elinewidth=1.0,
            linestyle="none",
            label=label,
            zorder=3,
        )
        n_points += 1
    if categories:
        ax.set_xticks(range(len(categories)), [plain_text(str(c)) for c in categories])


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten_label(value: float) -> str:
    """A major tick of a log axis as Unicode text, ``10⁻²`` (matplotlib's default label is mathtext, whose
    parsing takes most of a plot's drawing time); values between powers as ``%g``.

    >>> power_of_ten_label(0.01), power_of_ten_label(1000.0), power_of_ten_label(1.0), power_of_ten_label(3.0)
    ('10⁻²', '10³', '1', '3')
    """
    if not math.isfinite(value) or value <= 0:
        return ""
    exponent = math.log10(value)
    if abs(exponent - round(exponent)) > 1e-9:
        return f"{value:g}"
    e = round(exponent)
    if e == 0:
        return "1"
    if e == 1:
        return "10"
    return "10" + str(e).translate(_SUPERSCRIPT)


def minor_log_label(value: float, vmin: float, vmax: float) -> str:
    """A minor tick of a log axis spanning ``vmin``…``vmax``: labelled (``%g``) only when the axis spans
    under 1.5 decades (else the powers of ten suffice), and then only 2 and 5 unless it spans under 0.7.

    >>> minor_log_label(2.0, 0.25, 4.0), minor_log_label(3.0, 0.25, 4.0), minor_log_label(3.0, 1.0, 4.0)
    ('2', '', '3')
    """
    if not (value > 0 and vmin > 0 and vmax > 0):
        return ""
    decades = abs(math.log10(vmax / vmin))
    if decades > 1.5:
        return ""
    mantissa = round(value / 10 ** math.floor(math.log10(value) + 1e-12), 6)
    if decades > 0.7 and mantissa not in (2.0, 5.0):
        return ""
    return f"{value:g}"


def _log_axis(axis: Any, set_scale: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    set_scale("log")
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: power_of_ten_label(v)))
    axis.set_minor_formatter(FuncFormatter(lambda v, _pos: minor_log_label(v, *axis.get_view_interval())))


def observation_figure(observation: Mapping[str, Any]) -> tuple[Figure | None, PreparedObservation]:
    """A matplotlib figure of ``observation`` (``None`` when no series can be drawn), and what was prepared."""
    from matplotlib.figure import Figure

    prepared = prepare_observation(observation)
    if not prepared.series:
        return None, prepared
    with report_style():
        fig = Figure(figsize=FIGURE_SIZE, layout="constrained")
        ax = fig.add_subplot()
        _draw_series(ax, prepared)
        if prepared.log_x:
            _log_axis(ax.xaxis, ax.set_xscale)
        if prepared.log_y:
            _log_axis(ax.yaxis, ax.set_yscale)
        ax.set_xlabel(plain_text(str(observation.get("x_label", ""))))
        ax.set_ylabel(plain_text(str(observation.get("y_label", ""))))
        title = plain_text(str(observation.get("title", "")))
        ax.set_title("\n".join(textwrap.wrap(title, 70)))
        if any(s.label for s in prepared.series):
            ax.legend(loc="best", frameon=False)
    return fig, prepared


def figure_svg(fig: Figure) -> str:
    """``fig`` as a standalone SVG document, byte-reproducible (module docstring)."""
    buffer = io.StringIO()
    with report_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "thermosym"})
    return buffer.getvalue()


_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def inline_svg(svg: str, prefix: str, label: str = "") -> str:
    """``svg`` for embedding in HTML: prolog, comments and metadata removed, ids prefixed with ``prefix-``
    (references ``url(#…)`` and ``href="#…"`` with them), ``role="img"`` and ``aria-label`` on the root."""
    body = _METADATA.sub("", _PROLOG.sub("", svg)).strip()
    ids = set(_ID.findall(body))
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = _REFERENCE.sub(lambda m: m.group(1) + (f"{prefix}-" if m.group(2) in ids else "") + m.group(2), body)
    aria = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return body.replace("<svg ", f'<svg role="img" aria-label="{aria}" ', 1)


_ROOT = re.compile(r"<svg\b([^>]*)>")
_FIRST_GROUP = re.compile(r'<g id="([^"]+)"')


def _attribute(tag: str, name: str) -> str:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return "" if match is None else match.group(1)


def svg_reference(svg: str, prefix: str, label: str = "") -> str:
    """An SVG that draws again a figure already inlined with :func:`inline_svg` under ``prefix`` (a ``<use>`` of
    its top group, same size and view box), for a page that shows one plot in several places."""
    root = _ROOT.search(svg)
    group = _FIRST_GROUP.search(svg)
    if root is None or group is None:
        raise ValueError("svg has no <svg> root with a top <g id> group (not matplotlib's SVG?)")
    attrs = root.group(1)
    size = " ".join(f'{a}="{_attribute(attrs, a)}"' for a in ("width", "height", "viewBox") if _attribute(attrs, a))
    aria = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{aria}" {size}>'
        f'<use href="#{prefix}-{group.group(1)}"/></svg>'
    )


def observation_svg(observation: Mapping[str, Any]) -> tuple[str | None, PreparedObservation]:
    """The standalone SVG of an observation (``None`` when nothing can be drawn), and what was prepared."""
    fig, prepared = observation_figure(observation)
    return (None if fig is None else figure_svg(fig)), prepared
