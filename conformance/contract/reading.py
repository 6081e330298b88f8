"""Reading the contract's own YAML files: with libyaml where PyYAML has it (a run reads them every time, and the pure
Python loader takes longer than the run's own checks), each file once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def read_yaml(path: Path) -> Any:
    """One file of openapi/, parsed once: callers copy what they change."""
    return yaml.load(path.read_text(), Loader=SAFE_LOADER)
