"""python -m conformance: the same as rtk-conformance."""

import sys

from conformance.console import main

sys.exit(main())
