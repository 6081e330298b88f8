"""python -m conformance: the same as rtk-conformance."""

import sys

from conformance.console import main

if __name__ == "__main__":  # not when a process of a run's own (multiprocessing) loads the main module again
    sys.exit(main())
