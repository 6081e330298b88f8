"""Side by side, in one run on this machine, against the reference mock over loopback:

- our property layer (cases from the corpus cache, or generated anew; our transport; every check) on N fuzzing cases,
- schemathesis's own runner (`st run`) on the same fragment, target and N,
- the same request sent N times by a bare keep-alive client (httpx, requests): the floor,

then the thorough profile's fuzzing cases made on one core and on both, and the wall time of a default
`rtk-conformance run`, of the explicit checks alone, of a thorough run and of `rtk-conformance selftest`, and what
ending the process at once buys over Python's teardown (conformance/cli/process_exit.py).

Not a test: timings are for people to read. Run `python benchmarks/bench.py` (`--help` for options).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import requests

from conformance.contract import contract_dir, load_contract
from conformance.mock import ReferenceMock, load_data
from conformance.mock.app import BASE_PATH
from conformance.mock.server import serve_in_thread
from conformance.properties.engine import PropertyLayer
from conformance.properties.generate import load_operation
from conformance.properties.profiles import MODES, PROFILES
from conformance.properties.shares import Shares, make_share
from conformance.secret import Secret
from conformance.transport.http import Limits, Transport
from conformance.transport.probes import Ids

FRAGMENT = contract_dir() / "get-session-details.openapi.yaml"


@dataclass(frozen=True)
class Timed:
    cases: int
    sent: int  # requests that went out: a case that repeats an earlier request shares its answer
    preparing: float  # seconds generating the cases, or reading them from the corpus cache
    sending: float  # seconds sending and judging

    @property
    def seconds(self) -> float:
        return self.preparing + self.sending


def property_layer(base_url: str, cases: int, fresh: bool, share: bool = True) -> Timed:
    """The fuzzing phase of our property layer, with N cases, generated anew or read from the corpus cache; with
    `share=False` every case is sent, also one that repeats an earlier request."""
    data = load_data()
    ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
    transport = Transport(Limits(share=share))
    layer = PropertyLayer(load_contract(), ids, base_url, Secret(data.token), PROFILES["ci"].with_max_examples(cases), 0, transport)
    layer.fresh = fresh
    began = time.perf_counter()
    generated = sum(len(layer.cases("fuzzing", mode)) for mode in MODES)
    generating = time.perf_counter() - began
    began = time.perf_counter()
    for mode in MODES:
        layer.run("fuzzing", mode)
    sending = time.perf_counter() - began
    transport.close()
    return Timed(generated, transport.sent, generating, sending)


def thorough_shares(cases: int, together: bool) -> Timed:
    """The thorough profile's fuzzing cases (its shares), made one after another in this process, or on both cores."""
    data, contract = load_data(), load_contract()
    ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
    profile = PROFILES["thorough"].with_max_examples(cases)
    began = time.perf_counter()
    if together:
        shares = Shares(contract.edition, ids, profile, 1)
        made = len(shares.cases(load_operation(contract, ids, profile, 1), lambda: None))
        shares.close()
    else:
        made = sum(len(make_share(contract.edition, ids, profile, 1, share)) for share in range(profile.shares))
    return Timed(made, 0, time.perf_counter() - began, 0.0)


def st_run(base_url: str, cases: int) -> Timed:
    """Cases and seconds as `st run` reports them for its fuzzing phase on the same fragment and target."""
    st = shutil.which("st") or str(Path(sys.executable).parent / "st")
    token = load_data().token
    command = [st, "run", str(FRAGMENT), "--url", base_url, "-H", f"Authorization: Bearer {token}", "-n", str(cases)]
    command += ["--phases", "fuzzing", "--generation-deterministic", "--no-color"]
    with tempfile.TemporaryDirectory() as elsewhere:  # st keeps a cache of its own in the current directory
        output = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=elsewhere).stdout
    generated = re.search(r"(\d+) generated", output)
    took = re.search(r" in ([\d.]+)s", output)
    if generated is None or took is None:
        raise SystemExit(f"could not read st run's output:\n{output[-2000:]}")
    return Timed(int(generated[1]), int(generated[1]), 0.0, float(took[1]))


def bare(client: Callable[[str, dict[str, str]], object], url: str, count: int) -> Timed:
    """The same GET sent `count` times, one after another."""
    headers = {"Authorization": f"Bearer {load_data().token}"}
    began = time.perf_counter()
    for _ in range(count):
        client(url, headers)
    return Timed(count, count, 0.0, time.perf_counter() - began)


def wall(*args: str, teardown: bool = False) -> float:
    """`python -m conformance ARGS`; with `teardown`, ending through Python's own teardown instead of at once
    (what conformance/cli/process_exit.py saves)."""
    entry = ["-c", TEARDOWN_ENTRY] if teardown else ["-m", "conformance"]
    began = time.perf_counter()
    subprocess.run([sys.executable, *entry, *args], capture_output=True, timeout=1800)
    return time.perf_counter() - began


TEARDOWN_ENTRY = "import sys; from conformance.cli.console import main; sys.exit(main(sys.argv[1:]))"


def best(repeat: int, measure: Callable[[], Timed]) -> Timed:
    """The fastest of `repeat` measurements: the others were slowed by something else on the machine."""
    return min((measure() for _ in range(repeat)), key=lambda timed: timed.seconds)


WALL_COMMANDS = [
    ("rtk-conformance run (default, warm cache)", ["run"]),
    ("rtk-conformance run -- -m 'not property'", ["run", "--", "-m", "not property"]),
    ("rtk-conformance run -- -n 2 (two xdist workers)", ["run", "--", "-n", "2"]),
    ("rtk-conformance run --profile thorough --seed 1", ["run", "--profile", "thorough", "--seed", "1"]),
]


# What a default run cannot go below: loading what it runs on, its requests at the bare client's rate, collecting its tests.
# schemathesis loads its OpenAPI loader on first use: a run uses it, so it is part of what a run loads.
IMPORTS = "import pytest, schemathesis, schemathesis.specs.openapi.schemas, hypothesis, httpx, conformance.suite.conftest"
IMPORTS += ", conformance.plugin.active"
DEFAULT_RUN_SENT = 152  # the requests a default run sends, its Requests line says (the rest share an earlier answer)


def print_floor(repeat: int, bare_rate: float) -> None:
    # With the collector off, as a run loads (conformance/cli/console.py), and ended at once, as a run ends
    # (conformance/cli/process_exit.py): neither collecting nor Python's teardown is part of loading.
    loading = f"import gc; gc.disable(); {IMPORTS}; import os; os._exit(0)"
    imports = min(_seconds([sys.executable, "-c", loading]) for _ in range(repeat))
    collecting = min(wall("run", "--", "--collect-only", "-q") for _ in range(repeat)) - imports
    requests = DEFAULT_RUN_SENT / bare_rate
    run = min(wall("run") for _ in range(repeat))
    floor = imports + requests + collecting
    print(f"  default run {run:.2f} s; its floor {floor:.2f} s: imports {imports:.2f} + {DEFAULT_RUN_SENT} requests at the bare", end=" ")
    print(f"client's rate {requests:.2f} + collecting {collecting:.2f}; the run is {run / floor:.2f}x its floor")


def _seconds(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, timeout=600)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="fuzzing cases per engine (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="measure each engine this many times, keep the fastest (default 3)")
    parser.add_argument("--skip-selftest", action="store_true", help="leave out the selftest's wall time (about half a minute)")
    options = parser.parse_args()
    data, n, repeat = load_data(), options.cases, options.repeat
    with serve_in_thread(ReferenceMock(data)) as root:
        base_url = root + BASE_PATH
        session_url = f"{base_url}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
        fresh = best(repeat, lambda: property_layer(base_url, n, fresh=True))  # generates, and fills the cache
        cached = best(repeat, lambda: property_layer(base_url, n, fresh=False))
        unshared = best(repeat, lambda: property_layer(base_url, n, fresh=False, share=False))
        theirs = best(repeat, lambda: st_run(base_url, n))
        with httpx.Client() as h, requests.Session() as r:
            on_httpx = best(repeat, lambda: bare(lambda u, hd: h.get(u, headers=hd), session_url, n))
            on_requests = best(repeat, lambda: bare(lambda u, hd: r.get(u, headers=hd), session_url, n))
    sending_only = Timed(cached.cases, cached.sent, 0.0, cached.sending)
    rows = [
        ("our property layer, cases from the cache", cached),
        ("our property layer, cases generated (--fresh)", fresh),
        ("  of which sending and judging only", sending_only),
        ("our property layer, cache, every case sent", unshared),
        ("st run (schemathesis's runner)", theirs),
        ("bare httpx keep-alive client", on_httpx),
        ("bare requests keep-alive client", on_requests),
    ]
    print(f"best of {repeat}, the reference mock over loopback, {n} fuzzing cases")
    print(f"{'engine':<48} {'cases':>6} {'sent':>6} {'seconds':>8} {'cases/s':>8} {'sent/s':>8}")
    for name, t in rows:
        print(f"{name:<48} {t.cases:>6} {t.sent:>6} {t.seconds:>8.2f} {t.cases / t.seconds:>8.0f} {t.sent / t.seconds:>8.0f}")
    rate, floor = cached.cases / cached.seconds, n / on_httpx.seconds
    print(f"\nours (cache) / st run: {rate / (theirs.cases / theirs.seconds):.2f}x    ours (cache) / bare httpx: {rate / floor:.0%}")
    print(f"  every case sent (no answer shared): {unshared.cases / unshared.seconds / floor:.0%} of bare httpx")
    print(f"generating is {fresh.preparing / fresh.seconds:.0%} of a fresh property layer's time;", end=" ")
    print(f"reading the cache {cached.preparing:.2f} s")
    thorough = PROFILES["thorough"]
    alone = best(repeat, lambda: thorough_shares(thorough.max_examples, together=False))
    together = best(repeat, lambda: thorough_shares(thorough.max_examples, together=True))
    made = f"\nthorough's {thorough.max_examples} fuzzing cases in {thorough.shares} shares: one after another {alone.seconds:.1f} s,"
    print(made, f"on {thorough.shares} cores {together.seconds:.1f} s ({alone.seconds / together.seconds:.2f}x)")
    print("\nwall time, best of the same repeats (a fresh process each, as a user runs it):")
    for label, args in WALL_COMMANDS:
        print(f"  {label:<48} {min(wall(*args) for _ in range(repeat)):6.1f} s")
    print_floor(repeat, n / on_httpx.seconds)
    teardown = min(wall("run", teardown=True) for _ in range(repeat))
    print(f"  {'rtk-conformance run, ending in Python teardown':<48} {teardown:6.1f} s")
    if not options.skip_selftest:
        print(f"  {'rtk-conformance selftest (once)':<48} {wall('selftest'):6.1f} s")


if __name__ == "__main__":
    main()
