"""deploy/de06.service and its environment file: what the README tells the IT officer to use.

The unit is parsed (and verified by systemd-analyze where the machine has it), then held to
what the bot needs: a graceful stop longer than the bot's own grace, restarts on failure,
no root, write access exactly where the bot writes, and only documented variables.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from bot.platforms.zalo import STOP_GRACE

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "de06.service"
ENV_EXAMPLE = ROOT / "deploy" / "de06.env.example"
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes="#;")
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)\s*(s|min)?", value.strip())
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "min" else 1)


def test_the_unit_has_the_three_sections(unit: configparser.ConfigParser) -> None:
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_it_runs_de06_serve_from_the_checkouts_venv(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    workdir = PurePosixPath(service["WorkingDirectory"])
    command = service["ExecStart"].split()
    assert workdir.is_absolute()
    assert command[1:] == ["serve"]
    assert PurePosixPath(command[0]) == workdir / ".venv" / "bin" / "de06"


def test_a_failed_reload_before_the_start_does_not_stop_the_bot(
    unit: configparser.ConfigParser,
) -> None:
    before = unit["Service"]["ExecStartPre"]
    assert before.startswith("-") and before.endswith("/de06 reload")


def test_it_stops_gracefully_and_restarts_on_failure(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert seconds(service["TimeoutStopSec"]) > STOP_GRACE  # the bot answers what it holds
    assert service["Restart"] in ("on-failure", "always")


def test_it_never_runs_as_root(unit: configparser.ConfigParser) -> None:
    assert unit["Service"].get("User", "root") not in ("root", "0")


def test_it_may_write_only_the_store_and_the_knowledge_folder(
    unit: configparser.ConfigParser,
) -> None:
    service = unit["Service"]
    workdir = PurePosixPath(service["WorkingDirectory"])
    assert service["ProtectSystem"] == "strict"
    writable = {PurePosixPath(p) for p in service["ReadWritePaths"].split()}
    assert writable == {workdir / "var", workdir / "knowledge"}  # store, uploads, backups


def test_the_environment_file_is_the_one_the_example_is_for(
    unit: configparser.ConfigParser,
) -> None:
    target = unit["Service"]["EnvironmentFile"].lstrip("-")
    assert target in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


def test_every_variable_of_the_example_is_documented_in_the_readme() -> None:
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M)
    assert "TELEGRAM_BOT_TOKEN" in names and "DE06_HTTP_LISTEN" in names
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert [n for n in names if f"`{n}`" not in section] == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "is not executable" not in line  # /opt/de06 is not installed here
    ]
    assert complaints == []
