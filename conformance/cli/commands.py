"""rtk-conformance: run the suite, serve the reference mock, list the checks, audit recordings, proxy and judge.

`run` calls pytest.main on the suite, so the CLI and pytest share one runner and one report. What one other command
alone needs (the selftest, drift, a cassette's replay or diff) is imported in that command's function: a run starts
lighter.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import ipaddress
import json
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from conformance import __version__, interrupt
from conformance.cassettes import MAX_CASSETTE_BYTES
from conformance.cassettes.reading import CassetteError
from conformance.checks import REGISTRY
from conformance.cli import audit, proxy
from conformance.contract import BASE_PATH, FRAGMENT_NAME, load_contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.mock import ReferenceMock
from conformance.mock.data import DataFileError, load_data
from conformance.mock.ratelimit import RateLimiter
from conformance.mock.server import bind, serve_forever, url_of
from conformance.printable import printable
from conformance.run.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from conformance.run.settings import SETTINGS, TOKEN_ENV, add_arguments, env_name, flag, kind

if TYPE_CHECKING:
    from conformance.selftest.runs import Command

RUN_CONFIG = Path(__file__).parent / "pytest-run.ini"  # a run ignores the current directory's pytest configuration
# The suite by its folder, not --pyargs: pytest looks for the conftest.py files of the folders it is given and of
# their test*/ folders, and, given none it can find, of the current directory's (a project's tests/conftest.py).
SUITE_DIR = Path(__file__).parents[1] / "suite"
# The plugins a run loads: its own, and pytest-xdist where it is installed (`-- -n 2`). No other plugin the environment
# holds is loaded on its own (pytest-randomly would reorder the suite and reseed random, schemathesis's add a second
# of imports): the same command gives the same run whatever is installed beside it; `-- -p NAME` loads one.
XDIST = ["-p", "xdist.plugin"] if importlib.util.find_spec("xdist") else []
RUN_PLUGINS = ["--disable-plugin-autoload", *XDIST, "-p", "conformance.plugin"]
# pytest's exit codes, as DESIGN §2's: tests failed or none ran -> 1; usage, internal, interrupted -> 2
PYTEST_EXIT = {
    pytest.ExitCode.OK: EXIT_OK,
    pytest.ExitCode.TESTS_FAILED: EXIT_VIOLATION,
    pytest.ExitCode.NO_TESTS_COLLECTED: EXIT_VIOLATION,
}


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, and exit 2, instead of argparse's usage dump."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {port}")
    return port


def build_parser() -> Parser:
    parser = Parser(prog="rtk-conformance", description="Conformance suite for RealtimeKit 'Fetch details of a session'.")
    parser.add_argument("--version", action="version", version=f"rtk-conformance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="run the suite against a target (default: the embedded reference mock)")
    add_arguments(run.add_argument)
    run.add_argument("--junitxml", metavar="PATH", help="write JUnit XML")
    run.add_argument("-v", "--full", action="store_true", help="also pytest's own account: each failing test's text and its short summary")
    run.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="passed to pytest, after --")
    mock = commands.add_parser("mock", help="serve the reference mock on loopback")
    mock.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; one that is not loopback needs --expose)"
    )
    mock.add_argument("--expose", action="store_true", help="listen on a --host that is not loopback, reachable from the network")
    mock.add_argument("--port", type=port_number, default=8787, help="0 picks a free port (default 8787)")
    mock.add_argument("--data", metavar="FILE", help="seed data in the shape of the bundled data.json")
    mock.add_argument("--app-id", metavar="ID", help="print the ids of this seeded app (default: the data's app_id)")
    mock.add_argument(
        "--edition", choices=list(load_contract().editions), default=DEFAULT_EDITION, help="edition of the 200 body (default: documented)"
    )
    mock.add_argument("--rate-limit", metavar="N/SECONDS", help="answer 429 past N requests per window, e.g. 1200/300")
    mock.add_argument("--cassette", metavar="PATH", help="serve a recorded cassette instead of the seeded data")
    mock.add_argument(
        "--max-cassette",
        type=int,
        metavar="BYTES",
        default=MAX_CASSETTE_BYTES,
        help=f"bytes of a cassette read at most (default {MAX_CASSETTE_BYTES})",
    )
    checks = commands.add_parser("checks", help="list every check: id, category, level, rule")
    checks.add_argument("--json", action="store_true", help="as a JSON list of {id, category, level, rule}")
    diff = commands.add_parser("diff", help="the facts of production that changed between two recorded cassettes (not the bytes)")
    diff.add_argument("old", metavar="OLD", help="the earlier cassette")
    diff.add_argument("new", metavar="NEW", help="the later cassette")
    diff.add_argument("--max-cassette", type=int, metavar="BYTES", default=MAX_CASSETTE_BYTES, help="bytes of a cassette read at most")
    drift = commands.add_parser("drift", help="list how an official OpenAPI document differs from the contract, known or new")
    drift.add_argument("upstream_spec", metavar="UPSTREAM_SPEC", help="an OpenAPI 3.0 or 3.1 document, JSON or YAML")
    audit.add_parser(commands)
    proxy.add_parser(commands)
    selftest = commands.add_parser("selftest", help="run the suite against every mutant of the reference mock and every correct variant")
    # One more run than cores: each run waits on its mock part of the time.
    selftest.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1, help="runs at a time (default: the cores + 1)")
    selftest.add_argument("--max-examples", type=int, default=50, help="fuzzing cases per run (default 50)")
    selftest.add_argument(
        "--list", action="store_true", help="list the mutants (name, category, level, the promise each breaks), then the correct variants"
    )
    selftest.add_argument("mutants", nargs="*", metavar="NAME", help="only these mutants or correct variants (default: every one)")
    return parser


def main(argv: list[str] | None, entry: Command) -> int:
    """The command `argv` names; `entry` is the whole command as `python -m conformance` runs it (the selftest runs it)."""
    args = build_parser().parse_args(argv)
    args.entry = entry
    commands = {
        "run": run_command,
        "mock": serve_mock,
        "checks": list_checks,
        "selftest": run_selftest,
        "drift": compare_upstream,
        "diff": compare_cassettes,
        "audit": audit.audit_command,
        "proxy": proxy.proxy_command,
    }
    command = commands[args.command]
    try:
        return int(command(args))
    except KeyboardInterrupt:
        print(f"rtk-conformance: {args.command} interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    """The run's options as the plugin's prefixed pytest options; only those given, so precedence stays in resolve()."""
    # Checks raise CheckFailure and never rely on assert rewriting, which only costs start-up time. Nor is pytest's
    # report of unraisable exceptions used, which are the suite's own business, not the target's: it collects garbage
    # twice at the end of every run, a tenth of a second or more.
    forwarded = [str(SUITE_DIR), "-q", "--assert=plain", "-p", "no:unraisableexception", *RUN_PLUGINS]
    forwarded += ["-c", str(RUN_CONFIG), "--rootdir", "."]
    for setting in SETTINGS:
        value = getattr(args, setting.name)
        if value is None:
            continue
        if kind(setting) == "bool":
            forwarded.append(flag(setting, "conformance-") if value else "--no-" + flag(setting, "conformance-")[2:])
        else:
            for item in value if isinstance(value, list) else [value]:
                forwarded += [flag(setting, "conformance-"), str(item)]
    if args.junitxml:
        forwarded += ["--junitxml", args.junitxml]
    if not (args.full or {"-v", "--verbose", "-vv"} & set(args.pytest_args)):
        # One block per failing check and the verdict last, as the summary prints them: pytest's own account of
        # each failing test (its text, its short summary, its count) would repeat them, test by test.
        forwarded += ["-q", "--tb=no", "-rN"]
    return forwarded + list(args.pytest_args)


# pytest plugins a run cannot do without, and what each is: `-- -p no:NAME` switching one off is a usage error.
NEEDED_PLUGINS = {
    "conformance": "the suite's own plugin",
    "conformance.plugin": "the suite's own plugin",
    "terminal": "pytest's terminal reporter, which prints the verdict",
}


def switched_off(pytest_args: list[str]) -> str:
    """The first plugin the run needs that `-p no:NAME` would switch off, or ''."""
    for before, argument in zip(["", *pytest_args], pytest_args, strict=False):
        name = argument.removeprefix("-p").strip() if argument.startswith("-p") and argument != "-p" else argument if before == "-p" else ""
        if name.startswith("no:") and name[3:] in NEEDED_PLUGINS:
            return name[3:]
    return ""


def run_command(args: argparse.Namespace) -> int:
    needed = switched_off(args.pytest_args)
    if needed:
        return _usage_error(f"-p no:{needed} would switch off {NEEDED_PLUGINS[needed]}: a run needs it (leave it out)")
    # A user's PYTEST_ADDOPTS is meant for their own test runs (--cov, -x, -k ...): a run's pytest takes its options
    # after `--` only, so that the same command gives the same run whatever the shell holds.
    os.environ.pop("PYTEST_ADDOPTS", None)
    code = pytest.ExitCode(pytest.main(pytest_arguments(args)))
    if code == pytest.ExitCode.INTERRUPTED and interrupt.received():  # also when Ctrl-C came before any test
        print("rtk-conformance: run interrupted", file=sys.stderr)
    return PYTEST_EXIT.get(code, EXIT_USAGE)


def serve_mock(args: argparse.Namespace) -> int:
    if args.cassette and (args.data or args.rate_limit or args.app_id or args.edition != DEFAULT_EDITION):
        return _usage_error("--cassette serves what was recorded: it takes no --data, --app-id, --edition or --rate-limit")
    exposed = exposure(args)
    if exposed and not args.expose:
        return _usage_error(f"--host {args.host!r} is not loopback: it would expose {exposed} to the network; add --expose to mean it")
    try:
        app, base_path, exports = _cassette_app(args.cassette, args.max_cassette) if args.cassette else _reference_app(args)
        sock = bind(args.host, args.port)
        sock.listen(2048)  # before the URL is printed: a client that reads it may connect before uvicorn has started
    except (DataFileError, CassetteError, RateLimitError) as exc:
        return _usage_error(str(exc))
    except OSError as exc:
        return _usage_error(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    url = url_of(sock) + base_path
    if exposed:
        print(f"rtk-conformance: warning: --expose: {exposed} at {url}, for every host that reaches this one", file=sys.stderr)
    kind = "cassette replay" if args.cassette else "RealtimeKit reference mock"
    print(f"# {kind} at {url} (Ctrl-C stops it). Paste these lines into a shell, then: rtk-conformance run")
    for name, value in {env_name(BY_NAME["target"]): url, **exports}.items():
        print(f"export {name}={shlex.quote(value)}")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C before uvicorn took over the signal
        serve_forever(app, sock)  # until Ctrl-C or SIGTERM: uvicorn stops cleanly on either
    print(f"rtk-conformance: the mock at {url} stopped", file=sys.stderr)
    return EXIT_INTERRUPTED


BY_NAME = {s.name: s for s in SETTINGS}


def _reference_app(args: argparse.Namespace) -> tuple[Any, str, dict[str, str]]:
    data = load_data(args.data)
    data = data.for_app(args.app_id) if args.app_id else data
    limiter = rate_limiter(args.rate_limit) if args.rate_limit else RateLimiter()
    mock = ReferenceMock(data, limiter, edition=args.edition)
    return mock, BASE_PATH, _exports(data.token, data.account_id, data.app_id, data.session_ids)


class RateLimitError(ValueError):
    """--rate-limit cannot be read."""


def rate_limiter(text: str) -> RateLimiter:
    try:
        return RateLimiter.parse(text)
    except ValueError:
        raise RateLimitError(f"--rate-limit must look like N/SECONDS, e.g. 1200/300, got {text!r}") from None


def exposure(args: argparse.Namespace) -> str:
    """What `mock` would serve beyond this machine, or '' when it listens on loopback only."""
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:  # a name: only localhost is sure to stay on this machine
        loopback = args.host == "localhost"
    if loopback:
        return ""
    return "a token-accepting server with the " + ("recorded interactions" if args.cassette else "seeded sessions")


def _cassette_app(path: str, limit: int) -> tuple[Any, str, dict[str, str]]:
    from conformance.cassettes.replay import CassetteServer

    server = CassetteServer(Path(path), limit=limit)
    rec = server.recording
    return server, server.base_path, _exports(server.token.reveal(), rec.account_id, rec.app_id, rec.session_ids)


def _exports(token: str, account_id: str, app_id: str, session_ids: Any) -> dict[str, str]:
    """The variables `run` reads (besides the target), as the served app knows them."""
    return {
        TOKEN_ENV: token,
        env_name(BY_NAME["account_id"]): account_id,
        env_name(BY_NAME["app_id"]): app_id,
        env_name(BY_NAME["session_id"]): ",".join(session_ids),
    }


def list_checks(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([{"id": c.id, "category": c.category, "level": c.level, "rule": c.rule} for c in REGISTRY], indent=1))
        return EXIT_OK
    for check in REGISTRY:
        print(f"{check.id:<34} {check.category:<10} {check.level:<6} {check.rule}")
    return EXIT_OK


def compare_upstream(args: argparse.Namespace) -> int:
    """Exit 0 when every difference is known, 1 when one is new, 2 when the document cannot be used."""
    from conformance.contract import drift

    try:
        found = drift.differences(Path(args.upstream_spec))
    except drift.DriftError as exc:
        return _usage_error(str(exc))
    print(f"{args.upstream_spec} vs the contract (openapi/{FRAGMENT_NAME}), GET {load_contract().path_template}:")
    for line in drift.report_lines(found):
        print(line)
    return EXIT_VIOLATION if any(not d.known for d in found) else EXIT_OK


def compare_cassettes(args: argparse.Namespace) -> int:
    """Exit 0 when no fact changed, 1 when one did, 2 when a cassette cannot be read."""
    from conformance.cassettes import diff as cassette_diff

    try:
        old, new = (cassette_diff.recorded(Path(path), args.max_cassette) for path in (args.old, args.new))
    except CassetteError as exc:
        return _usage_error(str(exc))
    changed = cassette_diff.changes(old, new)
    print(f"{args.old} vs {args.new}: " + (f"{len(changed)} change(s) in what production answers" if changed else "the same facts"))
    for line in changed:
        print(f"  {printable(line)}")
    return EXIT_VIOLATION if changed else EXIT_OK


def run_selftest(args: argparse.Namespace) -> int:
    from conformance import selftest
    from conformance.selftest.mutants import CATALOGUE, MUTANTS
    from conformance.selftest.variants import CATALOGUE as VARIANT_CATALOGUE
    from conformance.selftest.variants import VARIANTS

    if args.list:
        for mutant in CATALOGUE:
            print(f"{mutant.name:<38} {mutant.category:<10} {mutant.level:<6} {mutant.breaks}")
        for variant in VARIANT_CATALOGUE:
            print(f"{variant.name:<38} {'correct':<10} {'-':<6} {variant.allows}")
        return EXIT_OK
    unknown = sorted(set(args.mutants) - set(MUTANTS) - set(VARIANTS))
    if unknown:
        known = f"the mutants: {', '.join(MUTANTS)}; the correct variants: {', '.join(VARIANTS)}"
        return _usage_error(f"unknown mutant(s): {', '.join(unknown)}; {known}")
    if args.jobs < 1 or args.max_examples < 1:
        return _usage_error("--jobs and --max-examples must be 1 or more")
    return selftest.main(args.jobs, args.max_examples, args.mutants, command=args.entry)


def _usage_error(message: str) -> int:
    print(f"rtk-conformance: error: {message}", file=sys.stderr)
    return EXIT_USAGE
