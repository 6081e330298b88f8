"""The configuration file as users meet it: `rtk-conformance run` in a directory whose pyproject.toml configures it
(tests/unit/test_config.py holds the same in this process, and each refusal's line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.contract import BASE_PATH
from conformance.mock import MockData
from tests.conftest import RecordingMock, run_cli

TABLE = (
    '[project]\nname = "mine"\n\n[tool.rtk-conformance]\nstrict = true\nseed = 3\nmax-examples = 20\nedition = "current"\nfresh = true\n'
)
FLAGS = ["--strict", "--seed", "3", "--max-examples", "20", "--edition", "current", "--fresh"]


def test_a_run_configured_by_pyproject_toml_is_the_run_its_flags_make(tmp_path: Path) -> None:
    """Against the embedded target: the same plan, the same summary, line for line."""
    (tmp_path / "configured").mkdir()
    (tmp_path / "configured" / "pyproject.toml").write_text(TABLE)
    (tmp_path / "flagged").mkdir()
    by_file = run_cli("run", cwd=tmp_path / "configured")
    by_flags = run_cli("run", *FLAGS, cwd=tmp_path / "flagged")
    assert (by_file.returncode, by_flags.returncode) == (0, 0), by_file.stdout + by_file.stderr + by_flags.stderr
    assert "Edition:  current (asked)" in by_file.stdout and "Property cases (profile ci, seed 3):" in by_file.stdout
    assert by_file.stdout == by_flags.stdout


def test_run_v_says_where_each_setting_came_from_once_before_the_plan(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(TABLE)
    result = run_cli("run", "-v", "--seed", "5", "--dry-run", env={"CONFORMANCE_TIMEOUT": "7"}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    (said,) = [n for n, line in enumerate(lines) if line.startswith("Settings:")]
    assert lines[said] == (
        "Settings: strict on (pyproject.toml, line 5); timeout 7 (CONFORMANCE_TIMEOUT); dry-run on (--dry-run);"
        " fresh on (pyproject.toml, line 9); max-examples 20 (pyproject.toml, line 7); seed 5 (--seed);"
        " edition current (pyproject.toml, line 8)"
    )
    assert lines[said + 1].startswith("Plan: ")
    quiet = run_cli("run", "--dry-run", cwd=tmp_path)
    assert quiet.returncode == 0 and "Settings:" not in quiet.stdout


def test_a_file_with_the_token_in_it_is_one_line_exit_2_and_nothing_is_sent(tmp_path: Path, serve: Any, data: MockData) -> None:
    mock = RecordingMock(data)
    ids = f'account-id = "{data.account_id}"\napp-id = "{data.app_id}"\nsession-id = {list(data.session_ids)!r}\n'
    (tmp_path / "rtk-conformance.toml").write_text(f'target = "{serve(mock) + BASE_PATH}"\napi_token = "{data.token}"\n{ids}')
    result = run_cli("run", cwd=tmp_path, env={"CLOUDFLARE_API_TOKEN": data.token})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ERROR: rtk-conformance.toml, line 2: 'api_token' would hold a secret, which is never read from a file: the API token comes"
        " from the environment only (CLOUDFLARE_API_TOKEN, or the variable token-env names)"
    ]
    assert "Traceback" not in result.stdout + result.stderr and data.token not in result.stdout + result.stderr
    assert mock.requests == []
