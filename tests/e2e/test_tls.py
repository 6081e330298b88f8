"""TLS is verified by default; --ca-bundle trusts a self-signed mock's authority; --insecure turns verification off
and says so wherever the target is named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from conformance.mock import MockData, ReferenceMock
from conformance.mock.server import serve_in_thread
from tests.conftest import run_cli, target_of

QUICK = ["--", "-m", "not property"]


@pytest.fixture
def https_mock(data: MockData, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The reference mock over HTTPS with a certificate of a throwaway authority; yields its URL and the CA file."""
    authority = trustme.CA()
    chain, key, ca = tmp_path / "chain.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    certificate = authority.issue_cert("127.0.0.1")
    certificate.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in certificate.cert_chain_pems))
    authority.cert_pem.write_to_path(str(ca))
    with serve_in_thread(ReferenceMock(data), tls=(str(chain), str(key))) as url:
        yield url, ca


def test_an_unknown_authority_is_refused_by_default(https_mock: tuple[str, Path], data: MockData, tmp_path: Path) -> None:
    url, _ = https_mock
    args, env = target_of(url, data)
    result = run_cli("run", *args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"ERROR: cannot reach {url}/client/v4: ") and "CERTIFICATE_VERIFY_FAILED" in line


def test_a_ca_bundle_trusts_a_self_signed_mock(https_mock: tuple[str, Path], data: MockData, tmp_path: Path) -> None:
    url, ca = https_mock
    args, env = target_of(url, data)
    result = run_cli("run", *args, "--ca-bundle", str(ca), *QUICK, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"Target:   {url}/client/v4\n" in result.stdout


def test_insecure_checks_without_verifying_and_says_so(https_mock: tuple[str, Path], data: MockData, tmp_path: Path) -> None:
    url, _ = https_mock
    args, env = target_of(url, data)
    result = run_cli("run", *args, "--insecure", *QUICK, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"Target:   {url}/client/v4 (TLS not verified: --insecure)\n" in result.stdout


def test_ca_bundle_and_insecure_exclude_each_other(tmp_path: Path) -> None:
    result = run_cli("run", "--ca-bundle", "ca.pem", "--insecure", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "ERROR: --ca-bundle and --insecure exclude each other: verify against the bundle, or not at all",
    )


@pytest.mark.parametrize(("content", "says"), [(None, "no such file"), (b"not a certificate", "cannot use --ca-bundle")])
def test_a_ca_bundle_that_cannot_be_used_is_one_line(content: bytes | None, says: str, data: MockData, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_bytes(content)
    args, env = target_of("https://127.0.0.1:1", data)
    result = run_cli("run", *args, "--ca-bundle", str(bundle), env=env, cwd=tmp_path)
    assert result.returncode == 2 and says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
