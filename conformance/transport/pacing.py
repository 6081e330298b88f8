"""Reading a target's rate limit: how long a 429 asks to wait (Retry-After), and how long to pause between
requests when its Ratelimit header says little capacity is left (Cloudflare: "default";r=<remaining>;t=<seconds>)."""

from __future__ import annotations

import re
from collections.abc import Mapping

RETRY_AFTER_CAP = 30.0  # seconds a run waits on a 429 before it stops as rate limited
PACE_CAP = 2.0  # seconds at most between two requests; a longer pause would not save the run, a 429 stops it
LOW_REMAINING = 10  # requests left in the window below which the run spreads the rest over it


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a 429 asks to wait, or None when it does not say (or says it as a date)."""
    value = headers.get("retry-after", "").strip()
    return float(value) if re.fullmatch("[0-9]+", value) else None  # not str.isdigit(): it takes "²" for a digit


def pause_for(headers: Mapping[str, str]) -> float:
    """Seconds to wait before the next request: the window's rest spread over the requests left, when few are."""
    found = re.search(r"\br=(\d+)\s*;\s*t=(\d+)", headers.get("ratelimit", ""), re.ASCII)
    if found is None:
        return 0.0
    remaining, seconds = int(found[1]), int(found[2])
    if remaining >= LOW_REMAINING:
        return 0.0
    pause = seconds / max(remaining, 1)
    return pause if pause <= PACE_CAP else 0.0
