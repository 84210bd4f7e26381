"""``rig report RESULTS.csv...``: the batch summary in the terminal, and with ``-o`` as a page with plots."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.report.results_file import read_results
from rig.report.summary import summarise
from rig.report.terminal import print_summary

EXIT_INPUT_PROBLEMS = 1


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the summary as a self-contained HTML page with plots.",
)
@click.option(
    "--records",
    "records_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of the cameras' JSON records, for step times and sheet links "
    "[default: 'records' beside each CSV].",
)
def report(results: tuple[str, ...], output: str | None, records_dir: str | None) -> None:
    """Summarise results CSVs: cameras per disposition, which fixes cured how many, bench times, the slowest
    step. Bad rows are listed on stderr (FILE:LINE) and left out; the rest is still summarised, and the exit
    status is 1 when there was anything to list."""
    data = read_results(list(results))
    records = Path(records_dir) if records_dir else None
    summary = summarise(data, records)
    for problem in summary.problems:
        click.echo(f"rig: {problem}", err=True)
    if not summary.rows and summary.problems:
        raise RigError(f"nothing to summarise in {', '.join(results)}")
    print_summary(summary, Console())
    if output:
        from rig.report.batch_page import write_batch_page

        try:
            path = write_batch_page(summary, Path(output), records)
        except OSError as exc:
            raise RigError(f"{output}: cannot write: {exc.strerror or exc}") from None
        click.echo(f"report: {path}")
    if summary.problems:
        sys.exit(EXIT_INPUT_PROBLEMS)
