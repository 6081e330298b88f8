"""What adding a session to the fake costs, however many it holds: one `add_session()` (every field by default, and
the suite's checks on the answers it would get) with 1,000 sessions stored and with 60,000, side by side.

The fakes are filled with `broken=True` (not checked, so filling is quick); the rounds of adds alternate between them,
so that whatever else the machine does falls on both alike. Each column is the median round.

Not a test: timings are for people to read. Run `python benchmarks/fake_add_session.py [--sizes 1000 60000] [--adds N]`.
"""

from __future__ import annotations

import argparse
import statistics
import time

from conformance.fake import RealtimeKitFake


def filled(size: int) -> RealtimeKitFake:
    fake = RealtimeKitFake()
    for _ in range(size):
        fake.add_session(broken=True)
    return fake


def one_round(fake: RealtimeKitFake, adds: int) -> float:
    """Seconds per add_session, over `adds` of them."""
    began = time.perf_counter()
    for _ in range(adds):
        fake.add_session()
    return (time.perf_counter() - began) / adds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 60_000], help="sessions stored (default 1000 60000)")
    parser.add_argument("--adds", type=int, default=100, help="adds per round (default 100)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per size (default 7)")
    options = parser.parse_args()
    fakes = {size: filled(size) for size in options.sizes}
    rounds: dict[int, list[float]] = {size: [] for size in options.sizes}
    for _ in range(options.rounds):
        for size, fake in fakes.items():
            rounds[size].append(one_round(fake, options.adds))
    medians = {size: statistics.median(times) for size, times in rounds.items()}
    print("sessions stored  " + "  ".join(f"{size:>10,}" for size in options.sizes))
    print("per add_session  " + "  ".join(f"{medians[size] * 1000:>7.2f} ms" for size in options.sizes))
    smallest = options.sizes[0]
    print("against the first" + "  ".join(f"{medians[size] / medians[smallest]:>9.2f}x" for size in options.sizes))


if __name__ == "__main__":
    main()
