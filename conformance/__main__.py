"""python -m conformance: the same as rtk-conformance."""

from conformance.cli.console import command_line

if __name__ == "__main__":  # not when a process of a run's own (multiprocessing) loads the main module again
    command_line()
