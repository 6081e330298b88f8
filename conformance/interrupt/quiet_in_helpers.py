"""A fork server's first preload, started with Ctrl-C held back: from here Ctrl-C ends the server quietly (the
system's default, not Python's KeyboardInterrupt and its traceback) while it loads the rest, and each process it
forks until that process sets its own handler (a helper ignores Ctrl-C, a run installs the suite's). The run that
started the server reports the interrupt itself."""

import signal

signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
