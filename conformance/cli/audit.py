"""`rtk-conformance audit PATH...`: the recorded exchanges under PATH judged, nothing sent; the run's verdict, summary,
reports and exit codes (0 conforms, 1 violates or inconclusive, 2 a file or an option that cannot be used)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import reports
from conformance.audit.recorded import UnreadableFile
from conformance.files import write_atomically
from conformance.reports import junit
from conformance.reports.summary import summary_lines
from conformance.run.baseline import load_baseline
from conformance.run.config import ConfigError, find
from conformance.run.exits import EXIT_USAGE
from conformance.run.record import Record
from conformance.run.settings import SETTINGS, SettingsError, flag, resolve
from conformance.run.verdict import Verdict, judge

# The run's options an audit reads: how it judges and what it writes; it sends nothing, so no target or ids.
OPTIONS = ("edition", "strict", "report", "baseline", "coverage_min", "unreachable", "max_cassette")
BY_NAME = {setting.name: setting for setting in SETTINGS}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("audit", help="judge recorded exchanges (HAR, cassettes, WireMock, Mockoon, NDJSON) without sending any")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a folder walked for every recording in it")
    for name in OPTIONS:
        setting = BY_NAME[name]
        kwargs: dict[str, Any] = {"dest": name, "default": None, "help": setting.metadata["help"]}
        if isinstance(setting.default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
        elif isinstance(setting.default, tuple):
            kwargs.update(action="append", metavar=setting.metadata["metavar"])
        else:
            kwargs.update(metavar=setting.metadata["metavar"], type=type(setting.default))
        parser.add_argument(flag(setting), **kwargs)
    parser.add_argument("--junitxml", metavar="PATH", help="write JUnit XML: one test per audited exchange")


def audit_command(args: argparse.Namespace) -> int:
    from conformance.audit.auditing import audit  # its readers only when an audit is asked for: the CLI starts light

    try:
        settings = resolve({name: getattr(args, name) for name in OPTIONS}, os.environ, {}, find(Path.cwd()))
        reports.check_format(settings.report)
        known = load_baseline(settings.baseline) if settings.baseline else None
        record = audit(args.paths, settings)
    except (SettingsError, ConfigError, UnreadableFile) as exc:
        print(f"rtk-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    record.baseline = known
    return write_outputs(record, judge(record), settings.report, args.junitxml)


def write_outputs(record: Record, verdict: Verdict, report: str, junit_path: str | None) -> int:
    """The summary, then the report and the JUnit XML when asked for; the verdict's exit code."""
    for line in summary_lines(record, verdict):
        print(line)
    outputs: list[tuple[str | None, Callable[[], None]]] = [(report, lambda: reports.write(Path(report), record, verdict))]
    outputs.append(
        (junit_path, lambda: write_atomically(Path(str(junit_path)), junit.render(record, verdict, reports.failed(record, verdict))))
    )
    for path, write in outputs:
        if path:
            try:
                write()
            except OSError as exc:
                print(f"rtk-conformance: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
    return verdict.exit_code
