"""`rtk-conformance proxy --upstream URL`: a validating proxy on loopback (conformance/audit/proxy.py); the verdict
of what passed when it stops, with the run's summary, reports and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import reports
from conformance.cli.audit import BY_NAME, write_outputs
from conformance.mock.server import bind, serve_forever, url_of
from conformance.run.config import ConfigError, find
from conformance.run.exits import EXIT_USAGE
from conformance.run.settings import SettingsError, flag, resolve
from conformance.run.verdict import judge
from conformance.secret import Secret, remember

if TYPE_CHECKING:
    from conformance.audit.writing import Passed

# The run's options the proxy reads: how it judges, what it writes, and the bounds of each exchange.
OPTIONS = ("edition", "strict", "report", "max_requests", "timeout", "max_body", "ca_bundle", "insecure")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("proxy", help="a validating proxy on loopback: forwards to --upstream, judges each exchange as it passes")
    parser.add_argument("--upstream", required=True, metavar="URL", help="where requests go: the live API's base URL, or any mock's")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; another needs --expose)")
    parser.add_argument("--expose", action="store_true", help="listen on a --host that is not loopback")
    parser.add_argument("--port", type=int, default=8788, help="0 picks a free port (default 8788)")
    parser.add_argument("--allow-writes", action="store_true", help="forward other methods than GET to an upstream off loopback too")
    parser.add_argument("--junitxml", metavar="PATH", help="write JUnit XML: one test per exchange")
    parser.add_argument(
        "--record",
        metavar="PATH",
        help="when it stops, write what passed, token hidden: a cassette (.yaml, .yml, .json), HAR (.har) or NDJSON (.ndjson)",
    )
    for name in OPTIONS:
        setting = BY_NAME[name]
        kwargs: dict[str, Any] = {"dest": name, "default": None, "help": setting.metadata["help"]}
        if isinstance(setting.default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs.update(metavar=setting.metadata["metavar"], type=type(setting.default))
        parser.add_argument(flag(setting), **kwargs)


def proxy_command(args: argparse.Namespace) -> int:
    from conformance.audit.proxy import JudgingProxy, on_loopback  # httpx's async client, only when asked for
    from conformance.audit.writing import UnknownFormat, format_of
    from conformance.cassettes.cassette import check_writable
    from conformance.cassettes.reading import CassetteError

    try:
        settings = resolve({name: getattr(args, name) for name in OPTIONS}, os.environ, {}, find(Path.cwd()))
        reports.check_format(settings.report)
        if args.record:
            format_of(Path(args.record))
            check_writable(Path(args.record))
        if not args.upstream.startswith(("http://", "https://")):
            raise SettingsError(f"--upstream is a URL (http:// or https://), got {args.upstream[:100]!r}")
        if not on_loopback(f"http://{args.host}") and not args.expose:
            raise SettingsError(f"--host {args.host!r} is not loopback: add --expose to mean it")
        sock = bind(args.host, args.port)
        sock.listen(2048)
    except (SettingsError, ConfigError, UnknownFormat, CassetteError) as exc:
        print(f"rtk-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"rtk-conformance: error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    token = Secret(os.environ.get(settings.token_env, ""))
    remember(token)  # an upstream may echo it in what the proxy prints or writes
    proxy = JudgingProxy(args.upstream, settings, lambda line: print(line, flush=True), args.allow_writes, token)
    url = url_of(sock)
    print(f"# validating proxy at {url}, forwarding to {args.upstream} (Ctrl-C stops it and judges what passed)")
    print(f"export CLOUDFLARE_BASE_URL={shlex.quote(url)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops on Ctrl-C, then raises it again: the proxy's end
        serve_forever(proxy, sock, proxy.stop)
    record = proxy.finished()
    if args.record:
        _record(Path(args.record), proxy.passed, record.started)
    return write_outputs(record, judge(record), settings.report, args.junitxml)


def _record(path: Path, passed: list[Passed], started: float) -> None:
    """What passed, written to `path` (one line says where, or why not): before the summary, so a recording is kept
    whatever the verdict."""
    from conformance.audit.writing import write_recording

    day = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).date().isoformat()
    try:
        kind = write_recording(path, passed, day)
    except OSError as exc:
        print(f"rtk-conformance: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return
    print(f"Recorded: {len(passed)} exchanges to {path} ({kind}), token hidden")
