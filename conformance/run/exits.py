"""The exit codes of every command, in one place (DESIGN §2)."""

EXIT_OK = 0  # the target conforms (advisories allowed); a command did what it was asked
EXIT_VIOLATION = 1  # the target violates the contract, or the run was inconclusive
EXIT_USAGE = 2  # a usage or configuration error, an unreachable target, an unreadable cassette
EXIT_INTERRUPTED = 2  # Ctrl-C, or a run that did not end whole
