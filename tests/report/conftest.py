"""A results document with everything the report must show, built by hand so that the report's tests do not wait
for (or break with) the checks other layers add: every verdict, findings with expressions (MathML and LaTeX),
evidence, derived claims with topics, a claim-file error, and observations shaped like each plot issue 8 lists —
measured against exact C(T), the two sides of the fluctuation-response identity, log P(σ)/P(−σ) against σ, a
Jarzynski running estimate against ΔF, SGD's T_eff against learning rate and batch size, a finite-size-scaling
attempt for HC-23, C against width, depth and data size — plus awkward ones (missing values, non-positive values
on a log axis, a malformed series, categories, an observation without series) and hostile text.

The numbers are exact functions (no random draws), so the document is the same in every run.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

MATHML_CL = (
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>C</mi><mi>L</mi></msub><mo>=</mo>'
    "<msup><mi>β</mi><mn>2</mn></msup><mo>&InvisibleTimes;</mo><mrow><mo>(</mo><mrow><mo>⟨</mo>"
    "<msubsup><mi>E</mi><mi>L</mi><mn>2</mn></msubsup><mo>⟩</mo><mo>−</mo><msup><mrow><mo>⟨</mo>"
    "<msub><mi>E</mi><mi>L</mi></msub><mo>⟩</mo></mrow><mn>2</mn></msup></mrow><mo>)</mo></mrow></math>"
)
MATHML_ENTROPY = (
    "<math><mi>E</mi><mo>=</mo><mo>−</mo><munder><mo>∑</mo><mi>θ</mi></munder><mi>p</mi><mo>(</mo><mi>θ</mi>"
    "<mo>)</mo><mo>&InvisibleTimes;</mo><mi>log</mi><mi>p</mi><mo>(</mo><mi>θ</mi><mo>)</mo></math>"
)
MATHML_DF = (
    "<math><mi>d</mi><mi>F</mi><mo>=</mo><mo>−</mo><mi>S</mi><mo>&InvisibleTimes;</mo><mi>d</mi><mi>T</mi>"
    "<mo>−</mo><mi>P</mi><mo>&InvisibleTimes;</mo><mi>d</mi><mi>V</mi></math>"
)
LATEX_CL = r"C_{L} = \beta^{2} \left(\left\langle E_{L}^{2} \right\rangle - \left\langle E_{L} \right\rangle^{2}\right)"
LATEX_CL_CANONICAL = (
    r"C_{L} = \beta^{2} \left(\left\langle L^{2} \right\rangle - \left\langle L \right\rangle^{2}\right)"
)
HOSTILE_TEXT = "what determines T_eff? <script>alert('x')</script> & <b>bold</b> | $5 * 2$ [link](http://example.com)"
HOSTILE_MATHML = "<math><mi>x</mi></math><script>alert(1)</script>"


def _source(document: str, section: str, line: int) -> dict[str, Any]:
    return {"document": document, "section": section, "file": f"{document}.toml", "line": line}


def _reading(
    name: str,
    verdict: str | None,
    reason: str,
    *,
    statement: str = "",
    latex: str = "",
    mathml: str | None = None,
    evidence: list[dict[str, Any]] | None = None,
    findings: list[dict[str, Any]] | None = None,
    observations: list[dict[str, Any]] | None = None,
    rationale: str = "",
    conditions: list[str] | None = None,
) -> dict[str, Any]:
    reading: dict[str, Any] = {
        "name": name,
        "statement": statement,
        "statement_latex": latex,
        "rationale": rationale,
        "reinterprets": [],
        "verdict": verdict,
        "verdict_reason": reason,
        "conditions": conditions or [],
        "evidence": evidence or [],
        "findings": findings or [],
        "observations": observations or [],
    }
    if mathml is not None:
        reading["statement_mathml"] = mathml
    return reading


def _claim(
    claim_id: str,
    kind: str,
    text: str,
    readings: list[dict[str, Any]],
    *,
    section: str,
    line: int,
    quantities: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    defines: tuple[str, ...] = (),
    derived_from: tuple[str, ...] = (),
    derived: bool = False,
) -> dict[str, Any]:
    first = readings[0]
    claim: dict[str, Any] = {
        "id": claim_id,
        "source": _source(claim_id.split("-")[0], section, line),
        "kind": kind,
        "text": text,
        "statement": first["statement"],
        "statement_latex": first["statement_latex"],
        "form": "relation",
        "quantities": [{"key": k, "symbol": s, "name": n} for k, s, n in quantities],
        "defines": list(defines),
        "derived_from": list(derived_from),
        "condition": "",
        "derived": derived,
        "readings": readings,
    }
    if "statement_mathml" in first:
        claim["statement_mathml"] = first["statement_mathml"]
    return claim


def _evidence(
    system: str, predicted: float, measured: float, stderr: float, condition: str, **parameters: Any
) -> dict[str, Any]:
    k = 3.0
    tolerance = k * stderr
    return {
        "check": "heat-capacity-fluctuation",
        "system": system,
        "quantity": "C",
        "predicted": predicted,
        "measured": measured,
        "stderr": stderr,
        "tolerance": tolerance,
        "tolerance_rule": {"k": k, "bias": 0.0, "absolute": 0.0},
        "passed": abs(measured - predicted) <= tolerance,
        "condition": condition,
        "parameters": parameters,
        "note": "",
        "rerun": "thermosym validate --only heat-capacity-fluctuation",
    }


def _observation(name: str, title: str, x_label: str, y_label: str, series: dict[str, Any], **flags: Any) -> dict:
    return {
        "name": name,
        "title": title,
        "x_label": x_label,
        "y_label": y_label,
        "log_x": bool(flags.get("log_x", False)),
        "log_y": bool(flags.get("log_y", False)),
        "note": str(flags.get("note", "")),
        "series": series,
    }


def two_level_heat_capacity(t: float, gap: float = 1.0) -> float:
    """C(T) of a two-level system with gap Δ: (Δ/T)² e^{Δ/T}/(1 + e^{Δ/T})² (Schottky anomaly)."""
    x = gap / t
    return x * x * math.exp(x) / (1.0 + math.exp(x)) ** 2


def _observations() -> dict[str, list[dict[str, Any]]]:
    temps = [0.1 * 1.35**i for i in range(16)]
    measured_t = temps[::2]
    bias = [0.02 * math.sin(3 * i) for i in range(len(measured_t))]
    sigma = [-2.0 + 0.5 * i for i in range(9)]
    steps = list(range(1, 3001))
    running = [-1.3 + 0.8 / math.sqrt(n) * math.cos(n / 40) for n in steps]
    lrs = [0.001 * 2**i for i in range(7)]
    batches = [4 * 2**i for i in range(6)]
    return {
        "c_of_t": [
            _observation(
                "c-vs-exact-two-level",
                "Measured C against exact C(T), two-level system",
                "T",
                "C",
                {
                    "exact C(T)": {"x": temps, "y": [two_level_heat_capacity(t) for t in temps], "style": "line"},
                    "fluctuation estimate": {
                        "x": measured_t,
                        "y": [two_level_heat_capacity(t) + b for t, b in zip(measured_t, bias, strict=True)],
                        "yerr": [0.015] * len(measured_t),
                        "style": "points",
                    },
                },
                log_x=True,
            )
        ],
        "fluctuation_response": [
            _observation(
                "fluctuation-response-sides",
                "Fluctuation-response identity: β²Var(E) and dE/dT",
                "T",
                "C",
                {
                    "β² Var(E)": {
                        "x": measured_t,
                        "y": [two_level_heat_capacity(t) for t in measured_t],
                        "yerr": [0.01] * len(measured_t),
                    },
                    "dE/dT (finite difference)": {
                        "x": measured_t,
                        "y": [two_level_heat_capacity(t) * 1.01 for t in measured_t],
                        "yerr": [0.02] * len(measured_t),
                        "style": "points",
                    },
                },
                log_x=True,
            )
        ],
        "crooks": [
            _observation(
                "log-ratio-vs-sigma",
                "log P(σ)/P(−σ) against σ",
                "σ",
                "log P(σ)/P(−σ)",
                {
                    "measured": {"x": sigma, "y": [s + 0.03 * math.cos(s) for s in sigma], "yerr": [0.05] * 9},
                    "σ (theorem, k_B = 1)": {"x": [-2.0, 2.0], "y": [-2.0, 2.0], "style": "line"},
                },
            )
        ],
        "jarzynski": [
            _observation(
                "jarzynski-running",
                "Jarzynski running estimate −T log⟨exp(−W/T)⟩ against ΔF",
                "number of work samples",
                "free-energy estimate",
                {
                    "running estimate": {"x": steps, "y": running, "style": "line"},
                    "ΔF (exact)": {"x": [1, 3000], "y": [-1.3, -1.3], "style": "line"},
                },
                log_x=True,
            )
        ],
        "t_eff": [
            _observation(
                "t-eff-vs-lr",
                "SGD's T_eff against learning rate (batch 32)",
                "learning rate η",
                "T_eff",
                {
                    "measured": {"x": lrs, "y": [lr / 64 for lr in lrs], "yerr": [lr / 640 for lr in lrs]},
                    "η/(2B)": {"x": lrs, "y": [lr / 64 for lr in lrs], "style": "line"},
                },
                log_x=True,
                log_y=True,
            ),
            _observation(
                "t-eff-vs-batch",
                "SGD's T_eff against batch size (η = 0.01)",
                "batch size B",
                "T_eff",
                {
                    "measured": {
                        "x": batches,
                        "y": [0.005 / b for b in batches],
                        "yerr": [0.0004 / b for b in batches],
                    },
                    "η/(2B)": {"x": batches, "y": [0.005 / b for b in batches], "style": "line"},
                },
                log_x=True,
                log_y=True,
            ),
        ],
        "fss": [
            _observation(
                "finite-size-scaling",
                "Finite-size scaling attempt: C/N^α against T/T_c(N), Curie-Weiss",
                "T/T_c(N)",
                "C N^−α",
                {
                    f"N = {n}": {
                        "x": [0.6 + 0.1 * i for i in range(9)],
                        "y": [1.0 / (abs(0.6 + 0.1 * i - 1.0) + 3.0 / n) for i in range(9)],
                        "yerr": [0.05] * 9,
                    }
                    for n in (8, 16, 32)
                },
                note="no collapse: the curves do not fall on one another",
            )
        ],
        "architecture": [
            _observation(
                "c-vs-width",
                "C against width",
                "width",
                "C",
                {"measured": {"x": [2, 4, 8, 16, 32], "y": [1.0, 2.1, 3.9, 8.2, 15.8], "yerr": [0.1] * 5}},
                log_x=True,
            ),
            _observation(
                "c-vs-depth",
                "C against depth",
                "depth",
                "C",
                {"measured": {"x": [1, 2, 3, 4], "y": [2.0, 3.1, 3.9, 5.2], "yerr": [0.2] * 4}},
            ),
            _observation(
                "c-vs-data",
                "C against data size",
                "data size n",
                "C",
                {
                    "measured": {"x": [100, 300, 1000, 3000], "y": [4.1, 3.2, 2.9, 2.8], "yerr": [0.1] * 4},
                    "d/2 (asymptote)": {"x": [100, 3000], "y": [2.75, 2.75], "style": "line"},
                },
                log_x=True,
            ),
        ],
        "awkward": [
            _observation(
                "awkward",
                "Values to leave out",
                "T",
                "C",
                {
                    "with gaps": {"x": [0.0, 1.0, 2.0, 3.0, None], "y": [1.0, None, 3.0, -1.0, 2.0]},
                    "broken": {"x": [1.0, 2.0], "y": [1.0]},
                },
                log_x=True,
                log_y=True,
            ),
            _observation(
                "by-system",
                "C by system",
                "system",
                "C",
                {"measured": {"x": ["quadratic", "two-level", "perceptron"], "y": [3.0, 0.4, 1.2], "yerr": [0.1] * 3}},
            ),
            _observation("not-evaluable", "Not evaluable", "", "", {}, note="Q has no numerical meaning here"),
        ],
    }


def build_sample_document() -> dict[str, Any]:
    """The document (see the module docstring); it follows thermosym/schema/results.schema.json."""
    obs = _observations()
    t_grid = [0.25, 1.0, 4.0]
    c = [two_level_heat_capacity(t) for t in t_grid]
    ev_fail = [
        _evidence("two-level", ci, ci + 0.3, 0.01, f"T = {t:g}", samples=4000, chains=8)
        for t, ci in zip(t_grid, c, strict=True)
    ]
    ev_pass = [
        _evidence("two-level", ci, ci + 0.005, 0.01, f"T = {t:g}", samples=4000, chains=8)
        for t, ci in zip(t_grid, c, strict=True)
    ]
    ev_mixed = [ev_pass[0], ev_fail[1]]
    finding_kind = {
        "code": "entropy-used-as-energy",
        "category": "kind-mismatch",
        "severity": "error",
        "claims": ["TL-03", "TL-04"],
        "quantities": ["TL.E"],
        "reading": "as-written",
        "message": "E is defined as an entropy (−∑ p log p) but differentiated as an energy in TL-04",
        "expression": "E = -Sum(p(θ)·log(p(θ)), θ)",
        "expression_latex": r"E = - \sum_{\theta} p{\left(\theta \right)} \log{\left(p{\left(\theta \right)} \right)}",
        "expression_mathml": MATHML_ENTROPY,
    }
    finding_ill = {
        "code": "derivative-wrt-integer",
        "category": "ill-posed",
        "severity": "error",
        "claims": ["HC-15"],
        "quantities": ["HC.w"],
        "reading": "as-written",
        "message": "argmax over an integer width w is taken as if w were continuous",
        "expression": None,
        "expression_latex": None,
    }
    finding_warn = {
        "code": "sampling-bias-noted",
        "category": "numerical",
        "severity": "warning",
        "claims": ["HC-11"],
        "quantities": [],
        "reading": "canonical",
        "message": "step-size bias of ULA is below the statistical error at these settings",
        "expression": None,
        "expression_latex": None,
    }
    claims = [
        _claim(
            "TL-01",
            "law",
            "dI = dC + dW",
            [
                _reading(
                    "as-written",
                    None,
                    "pending numerical validation (thermosym validate)",
                    statement="dI = dC + dW",
                    latex="dI = dC + dW",
                )
            ],
            section="First Law of Learning Thermodynamics",
            line=10,
        ),
        _claim(
            "TL-03",
            "definition",
            "E = −∑ p(θ) log p(θ)",
            [
                _reading(
                    "as-written",
                    "inconsistent",
                    "entropy-used-as-energy",
                    statement="E = -Sum(p(θ)·log(p(θ)), θ)",
                    latex=r"E = - \sum_{\theta} p{\left(\theta \right)} \log{\left(p{\left(\theta \right)} \right)}",
                    mathml=MATHML_ENTROPY,
                    findings=[finding_kind],
                ),
                _reading(
                    "canonical",
                    "definition",
                    "a well-formed definition",
                    statement="E = ⟨L⟩",
                    latex=r"E = \left\langle L \right\rangle",
                    rationale="read E as the mean loss under the Gibbs measure p ∝ exp(−L/T)",
                ),
            ],
            section="State Variables: Parameter Energy",
            line=20,
            quantities=[("TL.E", "E", "Parameter Energy"), ("TL.p", "p", "Parameter Distribution")],
            defines=("TL.E",),
        ),
        _claim(
            "TL-14",
            "law",
            "P(σ)/P(−σ) = exp(σ/k_B)",
            [
                _reading(
                    "as-written",
                    "holds",
                    "all 3 checks passed",
                    statement="P(σ)/P(-σ) = exp(σ/k_B)",
                    latex=r"\frac{P{\left(\sigma \right)}}{P{\left(- \sigma \right)}} = e^{\frac{\sigma}{k_{B}}}",
                    evidence=ev_pass,
                    observations=obs["crooks"],
                )
            ],
            section="Fluctuation Relations: Learning Fluctuation Theorem",
            line=30,
            quantities=[("TL.sigma", "σ", "Entropy Production"), ("TL.k_B", "k_B", "Boltzmann Constant")],
        ),
        _claim(
            "TL-15",
            "law",
            "⟨exp(−βW)⟩ = exp(−βΔF)",
            [
                _reading(
                    "as-written",
                    "holds",
                    "all 3 checks passed",
                    statement="⟨exp(-β·W)⟩ = exp(-β·ΔF)",
                    latex=r"\left\langle e^{- \beta W} \right\rangle = e^{- \beta \Delta F}",
                    evidence=ev_pass,
                    observations=obs["jarzynski"],
                )
            ],
            section="Fluctuation Relations: Jarzynski Equality",
            line=35,
            quantities=[("TL.W", "W", "Work"), ("TL.F", "F", "Learning Free Energy")],
        ),
        _claim(
            "TL-22",
            "question",
            HOSTILE_TEXT,
            [
                _reading(
                    "as-written",
                    "untestable",
                    "a question; the observations show what T_eff is for SGD on a quadratic loss",
                    statement="what determines T_eff",
                    mathml=HOSTILE_MATHML,
                    rationale="<img src=x onerror=alert(1)>",
                    observations=obs["t_eff"],
                )
            ],
            section="Open Questions",
            line=40,
            quantities=[("TL.T_eff", "T_eff", "Effective Learning Temperature")],
        ),
        _claim(
            "HC-02",
            "definition",
            "E_L = −∑_θ p(θ|D) log p(θ|D)",
            [
                _reading(
                    "as-written",
                    "definition",
                    "a well-formed definition",
                    statement="E_L = -Sum(p·log(p), θ)",
                    latex=r"E_{L} = - \sum_{\theta} p \log{\left(p \right)}",
                    observations=[obs["awkward"][2]],
                )
            ],
            section="Mathematical Framework: Learning Energy",
            line=50,
            quantities=[("HC.E_L", "E_L", "Learning Energy")],
            defines=("HC.E_L",),
        ),
        _claim(
            "HC-11",
            "identity",
            "C_L = β²(⟨E_L²⟩ − ⟨E_L⟩²)",
            [
                _reading(
                    "as-written",
                    "fails",
                    "all 3 checks failed",
                    statement="C_L = β^2·(⟨E_L^2⟩ - ⟨E_L⟩^2)",
                    latex=LATEX_CL,
                    mathml=MATHML_CL,
                    evidence=ev_fail,
                    observations=obs["c_of_t"],
                ),
                _reading(
                    "canonical",
                    "holds",
                    "all 3 checks passed",
                    statement="C_L = β^2·(⟨L^2⟩ - ⟨L⟩^2)",
                    latex=LATEX_CL_CANONICAL,
                    evidence=ev_pass,
                    findings=[finding_warn],
                    observations=obs["fluctuation_response"] + obs["c_of_t"],
                    rationale="E_L := ⟨L⟩ under the Gibbs measure",
                ),
            ],
            section="Measurement Methods: Energy Fluctuation Method",
            line=60,
            quantities=[
                ("HC.C_L", "C_L", "Learning Heat Capacity"),
                ("HC.E_L", "E_L", "Learning Energy"),
                ("HC.beta", "β", "Inverse Learning Temperature"),
            ],
        ),
        _claim(
            "HC-13",
            "identity",
            "C_L ≈ var(∇L)/T_L²",
            [
                _reading(
                    "as-written",
                    "holds-conditionally",
                    "1 of 2 checks passed; holds on two-level (T = 0.25); fails on two-level (T = 1)",
                    statement="C_L = Var(∇L)/T_L^2",
                    latex=r"C_{L} = \frac{\operatorname{Var}{\left(\nabla L \right)}}{T_{L}^{2}}",
                    evidence=ev_mixed,
                    conditions=["two-level (T = 0.25)"],
                    observations=[obs["awkward"][0], obs["awkward"][1]],
                )
            ],
            section="Measurement Methods: Gradient Statistics",
            line=70,
            quantities=[("HC.C_L", "C_L", "Learning Heat Capacity"), ("HC.T_L", "T_L", "Learning Temperature")],
        ),
        _claim(
            "HC-15",
            "definition",
            "w* = argmax_w C_L(w)",
            [
                _reading(
                    "as-written",
                    "ill-posed",
                    "derivative-wrt-integer",
                    statement="w* = argmax(C_L(w), w)",
                    latex=r"w^{*} = \operatorname{argmax}_{w} C_{L}{\left(w \right)}",
                    findings=[finding_ill],
                    observations=obs["architecture"],
                )
            ],
            section="Applications: Architecture Design: Capacity-Optimal Width",
            line=80,
            quantities=[("HC.w", "w", "Width"), ("HC.C_L", "C_L", "Learning Heat Capacity")],
            defines=("HC.w",),
        ),
        _claim(
            "HC-23",
            "scaling",
            "C_L(N) = N^α · f(T_L/T_c(N))",
            [
                _reading(
                    "as-written",
                    "untestable",
                    "no exponent α and scaling function f are given to test",
                    statement="C_L(N) = N^α·f(T_L/T_c(N))",
                    latex=r"C_{L}{\left(N \right)} = N^{\alpha} f{\left(\frac{T_{L}}{T_{c}{\left(N \right)}} \right)}",
                    observations=obs["fss"],
                )
            ],
            section="Scaling Properties: Size Scaling",
            line=90,
            quantities=[("HC.C_L", "C_L", "Learning Heat Capacity"), ("HC.N", "N", "System Size")],
        ),
        _claim(
            "DER-dF",
            "identity",
            "dF = −S dT − P dV",
            [
                _reading(
                    "as-written",
                    "holds",
                    "verified by SymPy",
                    statement="dF = -S·dT - P·dV",
                    latex=r"dF = - P dV - S dT",
                    mathml=MATHML_DF,
                )
            ],
            section="Potentials, Legendre transforms and Maxwell relations",
            line=None,  # type: ignore[arg-type]
            quantities=[("TL.F", "F", "Learning Free Energy"), ("TL.E", "E", "Parameter Energy")],
            derived_from=("TL-03", "TL-08"),
            derived=True,
        ),
    ]
    claims[-1]["source"] = {"document": "DER", "section": claims[-1]["source"]["section"], "file": "", "line": None}
    derived = [
        {
            "id": "DER-dF",
            "topic": "potentials",
            "statement": "dF = -S·dT - P·dV",
            "statement_latex": r"dF = - P dV - S dT",
            "derived_from": ["TL-03", "TL-08"],
            "verified": True,
            "method": "Legendre transform of E(S, V)",
            "concrete_checks": [],
        },
        {
            "id": "DER-CP-CV",
            "topic": "jacobian",
            "statement": "C_P - C_V = T·α²·V/κ_T",
            "statement_latex": r"C_{P} - C_{V} = \frac{T V \alpha^{2}}{\kappa_{T}}",
            "derived_from": ["TL-04"],
            "verified": False,
            "method": "Bridgman table",
            "concrete_checks": [],
        },
    ]
    as_written = Counter(str(c["readings"][0]["verdict"]) for c in claims)
    every = Counter(str(r["verdict"]) for c in claims for r in c["readings"])
    return {
        "claims": claims,
        "findings": [finding_kind, finding_ill, finding_warn],
        "derived": derived,
        "errors": [
            {
                "file": "mine.toml",
                "line": 7,
                "claim": "EX-02",
                "problem": "unknown name 'Q'",
                "message": "mine.toml:7 (claim EX-02): unknown name 'Q'",
            }
        ],
        "summary": {
            "claims": len(claims),
            "as_written": dict(sorted(as_written.items())),
            "all_readings": dict(sorted(every.items())),
        },
        "environment": {
            "thermosym": "0.1.0",
            "schema": "1",
            "command": "thermosym validate --json sample.json",
            "python": "3.11.7",
            "profile": "quick",
            "checks": ["heat-capacity-fluctuation"],
        },
    }


_SAMPLE = build_sample_document()


@pytest.fixture
def sample_document() -> dict[str, Any]:
    """A fresh copy of the sample document (tests may change it)."""
    return copy.deepcopy(_SAMPLE)


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the sample document, written once per session (read-only for the tests)."""
    from thermosym.report import write_report

    out = tmp_path_factory.mktemp("sample-report")
    write_report(copy.deepcopy(_SAMPLE), out)
    return out


@pytest.fixture(scope="session")
def builtin_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of ``thermosym check`` on the two built-in documents (what the README's main command computes),
    written once per session."""
    from thermosym.check import run_check
    from thermosym.report import write_report
    from thermosym.results import build_results

    result = run_check()
    document = build_results(result.catalogue, result.findings, result.derivations, result.errors, command="test")
    out = tmp_path_factory.mktemp("builtin-report")
    write_report(document, out)
    return out
