"""The one place that touches pytest's internals: the names of the plugins pytest loads itself.

pytest has no public list of them. The selftest's fork server loads them before it forks, so that no forked run
imports them again; `python benchmarks/bench.py` shows what that buys ("forked runs, pytest's plugins preloaded",
side by side with "... not preloaded"). This module refuses to load when the list is gone.
"""

from __future__ import annotations

import pytest

try:
    from _pytest.config import default_plugins
except ImportError as missing:  # pragma: no cover - only on a pytest outside pyproject.toml's range
    raise ImportError(f"pytest {pytest.__version__} has no _pytest.config.default_plugins: install pytest>=8.4,<10") from missing

BUILTIN_PLUGIN_MODULES = tuple(f"_pytest.{name}" for name in default_plugins)
