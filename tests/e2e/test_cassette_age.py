"""Cassettes say their age: a recording writes the day it was made; a replay past --max-age warns, past twice that
fails with the command that records it again; `diff` says which facts of production changed, by its exit code too."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli

SHIPPED = ROOT / "cassettes" / "reference-mock.yaml"


def aged(tmp_path: Path, days: int | None) -> Path:
    """The shipped cassette, recorded `days` ago (None: with no date, as a cassette from elsewhere)."""
    cassette = yaml.safe_load(SHIPPED.read_text())
    meta = cassette["metadata"]["conformance"]
    if days is None:
        meta.pop("recorded_on", None)
    else:
        meta["recorded_on"] = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=days)).isoformat()
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cassette))
    return path


def test_a_recording_writes_the_day_it_was_made(tmp_path: Path) -> None:
    run_cli("run", "--cassette", "c.yaml", "--record-mode", "once", "--", "-m", "auth", cwd=tmp_path)
    meta = yaml.safe_load((tmp_path / "c.yaml").read_text())["metadata"]["conformance"]
    assert meta["recorded_on"] == datetime.datetime.now(datetime.timezone.utc).date().isoformat() and meta["settings"]["contract_hash"]


@pytest.mark.parametrize(
    ("days", "exit_code", "said"),
    [
        (10, 0, ""),
        (35, 0, "rtk-conformance: warning: cassette c.yaml is 35 days old, past --max-age 30d: record it again: "),
        (61, 2, "ERROR: cassette c.yaml is 61 days old, past twice --max-age 30d: record it again: "),
        (None, 2, "ERROR: cassette c.yaml records no date it was recorded on: record it again: "),
    ],
)
def test_a_replay_older_than_max_age_warns_and_older_than_twice_fails(days: int | None, exit_code: int, said: str, tmp_path: Path) -> None:
    aged(tmp_path, days)
    # The explicit checks only: their requests are the same under every schemathesis this project supports, while the
    # generated cases of the shipped cassette are the newest one's (.ci/run replays on the lowest versions too).
    result = run_cli("run", "--cassette", "c.yaml", "--max-age", "30d", "--", "-m", "not property", cwd=tmp_path)
    assert result.returncode == exit_code, result.stdout[-2000:] + result.stderr
    assert said in result.stderr and (said or result.stderr == "")
    if said:
        assert result.stderr.strip().endswith("rtk-conformance run --cassette c.yaml --record-mode all")


def test_diff_exits_0_for_the_same_facts_and_1_for_changed_ones(tmp_path: Path) -> None:
    same = run_cli("diff", str(SHIPPED), str(SHIPPED), cwd=tmp_path)
    assert (same.returncode, same.stdout.strip().splitlines()[-1]) == (0, f"{SHIPPED} vs {SHIPPED}: the same facts")
    changed = aged(tmp_path, 1).read_text().replace('"code": 9109', '"code": 10000')
    (tmp_path / "changed.yaml").write_text(changed)
    other = run_cli("diff", str(SHIPPED), "changed.yaml", cwd=tmp_path)
    assert other.returncode == 1 and "answered 403 with code 9109, now 403 with code 10000" in other.stdout
    assert run_cli("diff", str(SHIPPED), "missing.yaml", cwd=tmp_path).returncode == 2
