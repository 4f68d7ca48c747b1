"""The README's two set-up commands stay true: CI runs exactly the test command, both install into the
checkout's virtual environment (Debian's own python3 refuses pip outside one, PEP 668), and .ci/venv
installs Debian's venv package when `python3 -m venv` cannot make one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The README's first two commands: the demo, then the tests."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("\n## ")]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", head, flags=re.S)][:2]


def test_ci_runs_exactly_the_readme_test_command():
    demo, tests = readme_commands()
    assert "\n" not in demo and "\n" not in tests  # one line each, as a person copies them
    run_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert tests in run_lines


def test_readme_commands_install_and_run_only_inside_the_checkouts_venv():
    demo, tests = readme_commands()
    assert demo.startswith("bash .ci/venv && ") and tests.startswith("bash .ci/install && ")
    for command in (demo, tests):
        steps = command.split(" && ")[1:]
        assert steps and all(step.startswith(".venv/bin/") for step in steps), command
    install = (ROOT / ".ci" / "install").read_text(encoding="utf-8")
    assert "bash .ci/venv" in install
    pips = [line for line in install.splitlines() if "pip install" in line]
    assert pips and all(line.startswith(".venv/bin/python -m pip install") for line in pips)


FAKE_PYTHON3 = """#!/bin/sh
echo "python3 $*" >> "$LOG"
if [ "$1 $2" = "-m venv" ] && [ ! -e "$VENV_PACKAGE" ]; then
  mkdir -p "$3/bin"  # Debian leaves a half-made environment behind
  echo "The virtual environment was not created successfully because ensurepip is not available." >&2
  exit 1
fi
exec "$REAL_PYTHON" "$@"
"""
FAKE_APT_GET = """#!/bin/sh
echo "apt-get $*" >> "$LOG"
[ "$1" = install ] && touch "$VENV_PACKAGE"
exit 0
"""
FAKE_SUDO = """#!/bin/sh
echo "sudo" >> "$LOG"
exec "$@"
"""
FAKE_ID = """#!/bin/sh
[ "$1" = -u ] && echo 1000 || exec /usr/bin/id "$@"
"""


@pytest.mark.slow
def test_ci_venv_installs_debians_venv_package_when_python3_cannot_make_one(tmp_path):
    """A python3 without ensurepip (Debian without python3-venv) fails `-m venv` until apt-get installs
    python3.X-venv; .ci/venv does that through sudo (not root), replaces the half-made .venv, and leaves
    a working one alone the second time."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / ".ci", checkout / ".ci")
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, text in {"python3": FAKE_PYTHON3, "apt-get": FAKE_APT_GET, "sudo": FAKE_SUDO, "id": FAKE_ID}.items():
        (fake / name).write_text(text, encoding="utf-8")
        (fake / name).chmod(0o755)
    log = tmp_path / "calls.log"
    real = getattr(sys, "_base_executable", None) or sys.executable
    env = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path), "LOG": str(log), "REAL_PYTHON": real,
           "VENV_PACKAGE": str(tmp_path / "venv-package-installed")}
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"

    first = subprocess.run(["bash", ".ci/venv"], cwd=checkout, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert f"apt-get install -y -qq --no-install-recommends python{minor}-venv" in calls
    assert "sudo" in calls and calls.count("python3 -m venv .venv") == 2
    pip = subprocess.run([str(checkout / ".venv/bin/python"), "-m", "pip", "--version"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert pip.returncode == 0 and str(checkout / ".venv") in pip.stdout

    log.write_text("", encoding="utf-8")
    again = subprocess.run(["bash", ".ci/venv"], cwd=checkout, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert log.read_text(encoding="utf-8") == ""  # neither python3 nor apt-get: the working .venv is kept


def test_ci_venv_refuses_a_python_older_than_3_11_with_a_clear_message(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / ".ci", checkout / ".ci")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.9.2" && exit 0\nexit 1\n',
                                  encoding="utf-8")
    (fake / "python3").chmod(0o755)
    proc = subprocess.run(["bash", ".ci/venv"], cwd=checkout, env={"PATH": f"{fake}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and not (checkout / ".venv").exists()
    assert "fourgood needs Python 3.11 or newer as python3; found: Python 3.9.2" in proc.stderr
