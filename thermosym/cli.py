"""The ``thermosym`` command line.

``check`` stays symbolic (no torch import) so that it answers in seconds; the numerical commands import their
layers only when they run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thermosym.errors import ThermosymError

app = typer.Typer(
    name="thermosym",
    help="Encode, derive, check and validate 'thermodynamics of learning' claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

FilesArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Claim files (TOML) to load beside the built-in documents.", show_default=False),
]
NoBuiltin = Annotated[bool, typer.Option("--no-builtin", help="Do not load the built-in documents.")]


def _report_errors(errors: list) -> None:
    for e in errors:
        err_console.print(f"[red]error[/red] {escape(str(e))}", soft_wrap=True)


def _command_line() -> str:
    return " ".join(["thermosym", *sys.argv[1:]])


@app.command()
def check(
    files: FilesArg = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results JSON here.")] = None,
    no_builtin: NoBuiltin = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Load claims, derive, run the consistency checks (symbolic only: seconds, no torch)."""
    from thermosym.check import run_check
    from thermosym.results import build_results, write_json_atomic

    result = run_check(files or [], builtin=not no_builtin)
    document = build_results(
        result.catalogue, result.findings, result.derivations, result.errors, command=_command_line()
    )
    if json_out is not None:
        write_json_atomic(json_out, document)
    _report_errors(result.errors)
    if not quiet:
        _print_check_summary(document)
        if json_out is not None:
            console.print(f"wrote {json_out}")
    if result.errors:
        raise typer.Exit(1)


def _print_check_summary(document: dict) -> None:
    summary = document["summary"]
    n_find = len(document["findings"])
    errors = sum(1 for f in document["findings"] if f["severity"] == "error")
    n_derived = len(document["derived"])
    verified = sum(1 for d in document["derived"] if d["verified"])
    console.print(
        f"{summary['claims']} claims ({n_derived} derived, {verified} verified by SymPy); "
        f"{n_find} findings ({errors} errors)"
    )
    counts = ", ".join(f"{k}: {v}" for k, v in summary["as_written"].items())
    console.print(f"as-written verdicts: {counts}")


@app.command()
def claims(files: FilesArg = None, no_builtin: NoBuiltin = False) -> None:
    """List the claims: id, source section, statement."""
    from thermosym.catalogue import load_catalogue
    from thermosym.printing import DocumentTextPrinter

    catalogue, errors = load_catalogue(files or [], builtin=not no_builtin)
    printer = DocumentTextPrinter(list(catalogue.quantities.values()))
    table = Table("id", "document", "section", "kind", "statement", show_lines=False)
    for c in catalogue:
        statement = c.statement.text(lambda e: printer.doprint(e).replace("**", "^").replace("*", "·"))
        table.add_row(c.id, c.source.document, c.source.section, c.kind.value, statement)
    console.print(table)
    _report_errors(errors)
    if errors:
        raise typer.Exit(1)


@app.command()
def graph(
    files: FilesArg = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, graphml, png or svg.")] = "json",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default theory-graph.FORMAT).")] = None,
    no_builtin: NoBuiltin = False,
) -> None:
    """Write the theory graph (claims, quantities, uses/defines/derived-from edges)."""
    from thermosym.check import run_check

    if fmt not in ("json", "graphml", "png", "svg"):
        err_console.print(f"[red]error[/red] unknown format {fmt!r}: use json, graphml, png or svg")
        raise typer.Exit(2)
    result = run_check(files or [], builtin=not no_builtin)
    path = result.graph.write(out or Path(f"theory-graph.{fmt}"), fmt)
    console.print(f"wrote {path}")
    _report_errors(result.errors)
    if result.errors:
        raise typer.Exit(1)


@app.command()
def extract(
    article: Annotated[Path, typer.Argument(help="A Markdown article with equations written in Unicode.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The draft claim file (TOML) to write.")],
    doc_id: Annotated[str | None, typer.Option("--doc-id", help="Document id (default: from the title).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing draft.")] = False,
) -> None:
    """Draft a claim file from a Markdown article: one claim per equation, with TODOs where it could not decide."""
    from thermosym.extract import extract_command

    code = extract_command(
        article, out, doc_id=doc_id, force=force, echo=lambda s: console.print(escape(s), soft_wrap=True)
    )
    raise typer.Exit(code)


@app.command()
def derive(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the derivation pages.")] = Path("derivations"),
) -> None:
    """Write the derivation documents (Markdown with LaTeX, one page per topic) for the built-in documents."""
    from thermosym.symbolic.documents import write_derivation_documents

    paths = write_derivation_documents(out)
    for path in paths:
        console.print(f"wrote {path}")


@app.command()
def validate(
    files: FilesArg = None,
    profile: Annotated[str, typer.Option(help="quick (2 CPU cores, minutes) or full (one GPU).")] = "quick",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results JSON here.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the HTML/Markdown report here.")] = None,
    workers: Annotated[int | None, typer.Option(help="Run checks on a local dask cluster of N workers.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Run checks on the dask scheduler at ADDRESS.")] = None,
    cache_dir: Annotated[Path, typer.Option("--cache", help="Where finished checks are stored.")] = Path(
        ".thermosym-cache"
    ),
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore stored results and run every check.")] = False,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only this check (repeatable).")] = None,
    no_builtin: NoBuiltin = False,
) -> None:
    """Run every numerical check and compute a verdict per claim and reading."""
    import time

    from thermosym.validation.cache import ResultCache
    from thermosym.validation.executor import make_executor
    from thermosym.validation.runner import validate as run_validation

    if workers is not None and scheduler is not None:
        err_console.print("[red]error[/red] give --workers or --scheduler, not both")
        raise typer.Exit(2)
    start = time.perf_counter()
    executor = make_executor(workers=workers, address=scheduler)
    try:
        with _progress() as progress:
            result = run_validation(
                files or [],
                profile=profile,
                executor=executor,
                cache=ResultCache(cache_dir, reuse=not fresh),
                only=only or (),
                progress=progress,
                command=_command_line(),
                builtin=not no_builtin,
            )
    finally:
        executor.close()
    document = result.document
    if json_out is not None:
        from thermosym.results import write_json_atomic

        write_json_atomic(json_out, document)
    if report is not None:
        from thermosym.report import write_report

        write_report(document, report)
    _report_errors(result.check.errors)
    _print_check_summary(document)
    elapsed = time.perf_counter() - start
    console.print(
        f"{len(result.outcomes)} checks ({len(result.cached)} from the cache) in {elapsed:.1f} s"
        + (f"; wrote {json_out}" if json_out else "")
        + (f"; report in {report}" if report else "")
    )
    if result.check.errors:
        raise typer.Exit(1)


class _progress:
    """A rich progress bar over checks on an interactive terminal; silent otherwise."""

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if not err_console.is_terminal:
            self._bar = None
            return None
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("checks", total=None)

        def update(name: str, done: int, total: int) -> None:
            assert self._bar is not None
            self._bar.update(self._task, completed=done, total=total, description=name)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="A results JSON written by check or validate.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for index.html, report.md and plots.")] = Path(
        "report"
    ),
    derivations: Annotated[
        Path | None, typer.Option("--derivations", help="Copy these derivation pages into the report.")
    ] = None,
) -> None:
    """Write the HTML and Markdown report of a results JSON."""
    import json

    from thermosym.report import write_report

    try:
        document = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err_console.print(f"[red]error[/red] cannot read {escape(str(results))}: {escape(str(exc))}")
        raise typer.Exit(1) from None
    try:
        index = write_report(document, out, derivations_dir=derivations)
    except ValueError as exc:
        err_console.print(f"[red]error[/red] {escape(str(results))}: {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"wrote {index}")


@app.command("checks")
def list_checks() -> None:
    """List the registered numerical checks: what they test, on which systems, with which tolerance."""
    from thermosym.validation.registry import REGISTRY
    from thermosym.validation.runner import load_checks

    load_checks()
    table = Table("check", "targets", "systems", "tolerance", "bias")
    for spec in REGISTRY.values():
        targets = ", ".join(t.key for t in spec.targets) or "(by shape)"
        table.add_row(spec.name, targets, ", ".join(spec.systems), spec.tolerance, spec.bias)
    console.print(table)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def systems(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The system; omit to list them.")] = None,
) -> None:
    """Exact values of the reference systems (``thermosym systems NAME --help`` for a system's options)."""
    import json

    from thermosym.cli_systems import SYSTEMS, parse

    if name is None or name in ("-h", "--help"):
        table = Table("system", "what it is")
        for s in SYSTEMS.values():
            table.add_row(s.name, s.description)
        console.print(table)
        return
    if name not in SYSTEMS:
        err_console.print(f"[red]error[/red] unknown system {escape(name)!r}: one of {', '.join(SYSTEMS)}")
        raise typer.Exit(2)
    try:
        args, as_json = parse(name, ctx.args)
        rows = SYSTEMS[name].rows(args)
    except ValueError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(rows, indent=1))
        return
    console.print(_rows_table(rows, SYSTEMS[name].description))


def _rows_table(rows: list[dict[str, object]], title: str) -> Table:
    """Rows as a table; with more fields than fit across, one line per field and one column per row."""
    keys = list(rows[0])
    if len(keys) <= 7:
        table = Table(*keys, title=title)
        for row in rows:
            table.add_row(*(_cell(row[k]) for k in keys))
        return table
    table = Table("", *(str(i + 1) for i in range(len(rows))), title=title)
    for k in keys:
        table.add_row(k, *(_cell(row[k]) for row in rows))
    return table


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def main() -> None:
    """Entry point of the console script: errors of thermosym print as one line, never a traceback."""
    try:
        app()
    except ThermosymError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
