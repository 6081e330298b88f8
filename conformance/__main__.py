"""python -m conformance: the same as rtk-conformance."""

import sys

from conformance.cli import main

sys.exit(main())
