"""The rtk-conformance command: Ctrl-C at any moment, even while the suite's modules load, is one line and exit 2."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from conformance import collector, interrupt
from conformance.cli.process_exit import end_process
from conformance.cli.streams import guard_standard_streams
from conformance.run.exits import EXIT_INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    interrupt.install()
    guard_standard_streams()
    # A run is short and keeps most of what it allocates (modules, the contract, its results): the collector's
    # default, a pass every 700 new objects, spends a tenth of a second or more of its start-up finding nothing.
    gc.set_threshold(50_000, 20, 20)
    try:
        with collector.loading():  # pytest, schemathesis and the contract take a moment
            from conformance.cli.commands import main as command

        return command(argv, main)
    except KeyboardInterrupt:
        print("rtk-conformance: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def command_line() -> NoReturn:
    """rtk-conformance and `python -m conformance`: main(), then the process ends at once (`process_exit`)."""
    code = main()
    interrupt.ignore()  # the work is done: a late Ctrl-C would only print a traceback
    end_process(code)
