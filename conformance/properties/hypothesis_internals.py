"""The one place that touches Hypothesis's internals: generation without the constants it mines from local modules.

Which modules are "local" depends on the install (an editable checkout is, a wheel is not) and on what happens to be
imported, so the same seed would send other requests from another entry point, and a replay would miss. Hypothesis
has no setting for it. This module patches its one function, and refuses to load when that function is gone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from hypothesis import __version__ as hypothesis_version
from hypothesis.internal.conjecture import providers

try:
    from hypothesis.internal.constants_ast import Constants
except ImportError as missing:  # pragma: no cover - only on a Hypothesis outside pyproject.toml's range
    raise ImportError(f"Hypothesis {hypothesis_version} has no constants_ast.Constants: install hypothesis>=6.131.9") from missing

if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "CONSTANTS_CACHE"):  # pragma: no cover - as above
    raise ImportError(f"Hypothesis {hypothesis_version} has no providers._get_local_constants: generation would not be deterministic")


@contextlib.contextmanager
def without_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis mines no constants from local modules, nor uses those it mined before: it keeps the
    constants it drew from, local ones included, in a cache of the process that an earlier generation (another test
    of the same pytest process, a user's own) has filled. Emptied on the way in, and on the way out for the others."""
    original = providers._get_local_constants
    providers._get_local_constants = Constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers.CONSTANTS_CACHE.cache.clear()
        providers._get_local_constants = original
