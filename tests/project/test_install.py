"""What a user installs: the wheel and the sdist built from this tree, the wheel installed into a fresh venv with no
checkout on the path, and the commands a newcomer types first.

Offline: the fresh venv gets the wheel alone (no dependency is downloaded); the dependencies come from this test's
own environment, added to the venv's path as plain directories (so this environment's editable install of the
checkout is not carried along: its .pth hook is not read there).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from conformance import __version__
from tests.conftest import OUTER_BOUND, ROOT  # the checkout: tests/ and its parent, nothing beside it

IGNORED = ("__pycache__", ".pyc")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist, built by the project's build backend from this tree."""
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-t", "sdist", "-d", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=OUTER_BOUND)
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def package_files() -> set[str]:
    """Every file of the package as the wheel must hold it: conformance/ as it is, openapi/ inside it."""
    tracked = subprocess.run(["git", "ls-files", "conformance", "openapi"], cwd=ROOT, capture_output=True, text=True, check=True)
    files = {name for name in tracked.stdout.split() if not name.endswith(IGNORED)}
    return {("conformance/" + name) if name.startswith("openapi/") else name for name in files}


def test_the_wheel_holds_every_module_and_data_file_of_the_package(built: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(built["wheel"]).namelist())
    assert package_files() - names == set()
    assert {"conformance/reports/html.py", "conformance/openapi/get-session-details.openapi.yaml", "conformance/py.typed"} <= names


def test_the_sdist_holds_the_package_its_contract_and_its_tests(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    tracked = subprocess.run(["git", "ls-files", "conformance", "openapi", "tests"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert {name for name in tracked.stdout.split() if not name.endswith(IGNORED)} - names == set()


@pytest.fixture(scope="module")
def fresh_venv(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel, its dependencies reached from this environment's site-packages."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True)
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(built["wheel"])]
    subprocess.run(install, check=True, capture_output=True, timeout=OUTER_BOUND)
    return home


def run_installed(home: Path, *args: str, timeout: float = OUTER_BOUND) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "CONFORMANCE_"))}
    return subprocess.run(
        [str(home / "bin" / "rtk-conformance"), *args], cwd=home, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_installed_package_is_the_wheel_not_the_checkout(fresh_venv: Path) -> None:
    code = "import conformance, sys; print(conformance.__file__); print(any(p.rstrip('/') == sys.argv[1] for p in sys.path))"
    found = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", code, str(ROOT)], cwd=fresh_venv, capture_output=True, text=True)
    where, checkout_on_path = found.stdout.split()
    assert Path(where).is_relative_to(fresh_venv) and checkout_on_path == "False"


def test_version_and_checks_from_the_wheel(fresh_venv: Path) -> None:
    assert run_installed(fresh_venv, "--version").stdout.strip() == f"rtk-conformance {__version__}"
    checks = run_installed(fresh_venv, "checks")
    assert checks.returncode == 0 and re.search(r"^schema\.envelope +schema +MUST", checks.stdout, re.M), checks.stdout


def test_run_from_the_wheel_conforms(fresh_venv: Path) -> None:
    result = run_installed(fresh_venv, "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"^Verdict: CONFORMS: every check holds$", result.stdout, re.M), result.stdout[-2000:]


def test_mock_from_the_wheel_serves_a_session(fresh_venv: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    command = [str(fresh_venv / "bin" / "rtk-conformance"), "mock", "--port", "0"]
    with subprocess.Popen(command, cwd=fresh_venv, env=env, stdout=subprocess.PIPE, text=True) as mock:
        try:
            assert mock.stdout is not None
            exports = dict(re.findall(r"^export (\w+)=(\S+)$", "".join(mock.stdout.readline() for _ in range(6)), re.M))
            url = (
                f"{exports['CONFORMANCE_TARGET']}/accounts/{exports['CLOUDFLARE_ACCOUNT_ID']}/realtime/kit/{exports['CONFORMANCE_APP_ID']}"
            )
            session = exports["CONFORMANCE_SESSION_ID"].split(",")[0]
            headers = {"Authorization": f"Bearer {exports['CLOUDFLARE_API_TOKEN']}"}
            answer = httpx.get(f"{url}/sessions/{session}", headers=headers, timeout=OUTER_BOUND)
            assert answer.status_code == 200 and answer.json()["success"] is True
        finally:
            mock.terminate()
