"""Side by side, in one run on this machine, against the reference mock over loopback:

- our property layer (cases from the corpus cache, or generated anew; our transport; every check) on N fuzzing cases,
- schemathesis's own runner (`st run`) on the same fragment, target and N,
- the same request sent N times by a bare keep-alive client (httpx, requests): the floor,

then the wall time of a default `rtk-conformance run`, of the explicit checks alone, and of `rtk-conformance selftest`.

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
from pathlib import Path

import httpx
import requests

from conformance.contract import contract_dir, load_contract
from conformance.mock import ReferenceMock, load_data
from conformance.mock.app import BASE_PATH
from conformance.mock.server import serve_in_thread
from conformance.probes import Ids
from conformance.profiles import MODES, PROFILES
from conformance.properties.engine import PropertyLayer
from conformance.transport import Limits, Transport

FRAGMENT = contract_dir() / "get-session-details.openapi.yaml"


def property_layer(base_url: str, cases: int, fresh: bool) -> tuple[int, float, float]:
    """(cases, seconds generating or reading the corpus cache, seconds sending and judging) of the fuzzing phase."""
    data = load_data()
    ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
    transport = Transport(Limits())
    layer = PropertyLayer(load_contract(), ids, base_url, data.token, PROFILES["ci"].with_max_examples(cases), 0, transport)
    layer.fresh = fresh
    began = time.perf_counter()
    generated = sum(len(layer.cases("fuzzing", mode)) for mode in MODES)
    generating = time.perf_counter() - began
    began = time.perf_counter()
    for mode in MODES:
        layer.run("fuzzing", mode)
    sending = time.perf_counter() - began
    transport.close()
    return generated, generating, sending


def st_run(base_url: str, cases: int) -> tuple[int, float]:
    """(cases, seconds) as `st run` reports them for its fuzzing phase on the same fragment and target."""
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
    return int(generated[1]), float(took[1])


def bare(client: Callable[[str, dict[str, str]], object], url: str, count: int) -> float:
    """Seconds to send the same GET `count` times, one after another."""
    headers = {"Authorization": f"Bearer {load_data().token}"}
    began = time.perf_counter()
    for _ in range(count):
        client(url, headers)
    return time.perf_counter() - began


def wall(*args: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, timeout=1800)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="fuzzing cases per engine (default 300)")
    parser.add_argument("--skip-selftest", action="store_true", help="leave out the selftest's wall time (about two minutes)")
    options = parser.parse_args()
    data = load_data()
    with serve_in_thread(ReferenceMock(data)) as root:
        base_url = root + BASE_PATH
        session_url = f"{base_url}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
        ours, generating, _ = property_layer(base_url, options.cases, fresh=True)  # generates, and fills the cache
        _, reading, sending = property_layer(base_url, options.cases, fresh=False)
        theirs, their_seconds = st_run(base_url, options.cases)
        with httpx.Client() as h, requests.Session() as r:
            httpx_seconds = bare(lambda u, hd: h.get(u, headers=hd), session_url, ours)
            requests_seconds = bare(lambda u, hd: r.get(u, headers=hd), session_url, ours)
    rate = ours / (reading + sending)
    rows = [
        ("our property layer, cases from the cache", ours, reading + sending, rate),
        ("our property layer, cases generated (--fresh)", ours, generating + sending, ours / (generating + sending)),
        ("  of which sending and judging only", ours, sending, ours / sending),
        ("st run (schemathesis's runner)", theirs, their_seconds, theirs / their_seconds),
        ("bare httpx keep-alive client", ours, httpx_seconds, ours / httpx_seconds),
        ("bare requests keep-alive client", ours, requests_seconds, ours / requests_seconds),
    ]
    print(f"{'engine':<48} {'cases':>6} {'seconds':>8} {'cases/s':>8}")
    for name, count, seconds, per_second in rows:
        print(f"{name:<48} {count:>6} {seconds:>8.2f} {per_second:>8.0f}")
    print(
        f"\nours (cache) / st run: {rate / (theirs / their_seconds):.2f}x    ours (cache) / bare httpx: {rate / (ours / httpx_seconds):.0%}"
    )
    print(f"generating is {generating / (generating + sending):.0%} of a fresh property layer's time; reading the cache {reading:.2f} s")
    print("\nwall time (a fresh process each, as a user runs it):")
    print(f"  rtk-conformance run (default)            {wall('run'):6.1f} s")
    print(f"  rtk-conformance run -- -m 'not property' {wall('run', '--', '-m', 'not property'):6.1f} s")
    if not options.skip_selftest:
        print(f"  rtk-conformance selftest                 {wall('selftest'):6.1f} s")


if __name__ == "__main__":
    main()
