"""Load on the reference mock: N concurrent keep-alive clients, each sending the session request one after another
for a few seconds, then the throughput, the p50 and p99 latency, and the errors (any answer but the expected 200).

Not a test: run `python benchmarks/mock_load.py [--clients N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import httpx

from conformance.mock import ReferenceMock, load_data
from conformance.mock.app import BASE_PATH
from conformance.mock.server import serve_in_thread


def client_loop(url: str, headers: dict[str, str], until: float, latencies: list[float], errors: list[str]) -> None:
    with httpx.Client(timeout=10) as client:  # one keep-alive connection per client
        while time.perf_counter() < until:
            began = time.perf_counter()
            try:
                status = client.get(url, headers=headers).status_code
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"HTTP {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients (default 16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long they send (default 5)")
    options = parser.parse_args()
    data = load_data()
    headers = {"Authorization": f"Bearer {data.token}"}
    with serve_in_thread(ReferenceMock(data)) as root:
        url = f"{root}{BASE_PATH}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
        latencies: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + options.seconds
        threads = [threading.Thread(target=client_loop, args=(url, headers, until, latencies, errors)) for _ in range(options.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"{options.clients} keep-alive clients for {options.seconds:g} s against the reference mock")
    print(f"throughput: {len(latencies) / options.seconds:.0f} requests/s ({len(latencies)} answered)")
    print(f"latency: p50 {quantiles[49] * 1000:.1f} ms, p99 {quantiles[98] * 1000:.1f} ms")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
