"""The wheel installs into a fresh virtual environment and its command works there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_runs_help_and_templates(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__",
                                                              ".cache", "fourgood-demo", ".pytest_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                    str(src)], check=True, capture_output=True)
    (wheel,) = wheels.glob("fourgood-*.whl")
    venv = tmp_path / "venv"
    # Dependencies come from this interpreter's site-packages; fourgood itself only from the wheel.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    bindir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run([str(bindir / "python"), "-c", "import fourgood.validators, fourgood.workbook_templates as t;"
                            "print(t.__file__)"], cwd=work, check=True, capture_output=True, text=True).stdout
    assert str(venv) in where and "site-packages" in where
    help_out = subprocess.run([str(bindir / "fourgood"), "--help"], cwd=work, capture_output=True, text=True)
    assert help_out.returncode == 0 and "templates" in help_out.stdout
    run = subprocess.run([str(bindir / "fourgood"), "templates", "--out", "mau"], cwd=work, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (work / "mau").iterdir()) == [
        "bang-tieu-chi.xlsx", "bang-tong-hop.xlsx", "chi-bo-co-quan.xlsx", "chi-bo-doanh-nghiep.xlsx",
        "chi-bo-don-vi-su-nghiep.xlsx", "chi-bo-thon-khu-dan-cu.xlsx", "danh-sach-chi-bo.xlsx"]
    # the add-in's ribbon and the macros ship in the wheel
    addin = subprocess.run([str(bindir / "fourgood"), "addin", "build", "--out", "xl"], cwd=work, capture_output=True,
                           text=True)
    assert addin.returncode == 0, addin.stderr
    assert (work / "xl" / "fourgood.xlam").exists()
    macros = subprocess.run([str(bindir / "python"), "-c", "import importlib.resources as r; "
                             "print(r.files('fourgood.macros').joinpath('FourGood.bas').is_file())"],
                            capture_output=True, text=True)
    assert macros.stdout.strip() == "True", macros.stderr
