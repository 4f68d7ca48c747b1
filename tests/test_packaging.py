"""The wheel installs into a fresh virtual environment and its command works there."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE_PARTS = {"site-packages", "dist-packages"}


def import_dirs() -> list[str]:
    """The directories this interpreter imports packages from, in order, minus this repository's own
    source (fourgood must come from the wheel). Works the same whether the tests run under a system
    Python or inside a virtual environment (the dependencies may live only in that environment)."""
    user = [site.getusersitepackages()] if site.ENABLE_USER_SITE else []
    out: list[str] = []
    for entry in [*sys.path, *site.getsitepackages(), *user]:
        if not entry or not Path(entry).is_dir():
            continue
        d = Path(entry).resolve()
        if d == ROOT or (ROOT in d.parents and not SITE_PARTS & set(d.parts)):
            continue  # the checkout itself, src/, validators/... (a .venv inside the checkout is kept)
        if str(d) not in out:
            out.append(str(d))
    return out


def fresh_venv(venv: Path, env: dict[str, str]) -> Path:
    """A virtual environment made by the base interpreter (never nested in the one running the tests),
    without system site-packages; a .pth file appends this interpreter's import directories after the
    venv's own site-packages, so the dependencies resolve offline and an installed wheel wins."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, env=env)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    probe = subprocess.run([str(python), "-c", "import sys, sysconfig; print(sysconfig.get_path('purelib'));"
                            "print(*sys.path, sep='\\n')"], check=True, capture_output=True, text=True, env=env)
    purelib, *own = probe.stdout.splitlines()
    own_dirs = {str(Path(p).resolve()) for p in own if p}
    (Path(purelib) / "_outer_environment.pth").write_text(
        "".join(f"{d}\n" for d in import_dirs() if d not in own_dirs), encoding="utf-8")
    return python


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
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["FOURGOOD_HOME"] = str(tmp_path / "home")  # the log of a failure stays in the test's folder
    # Dependencies come from this interpreter's import path; fourgood itself only from the wheel.
    python = fresh_venv(venv, env)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
                    str(wheel)], check=True, capture_output=True, env=env)
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess:
        exe = python if args[0] == "python" else python.parent / args[0]
        return subprocess.run([str(exe), *args[1:]], cwd=work, capture_output=True, text=True, env=env)

    where = run("python", "-c", "import sys, fourgood.validators, fourgood.workbook_templates as t;"
                "print(t.__file__); print(sys.prefix)")
    assert where.returncode == 0, where.stderr
    module, prefix = where.stdout.splitlines()
    assert Path(module).resolve().is_relative_to(Path(python.parent.parent).resolve()) and "site-packages" in module
    assert Path(prefix).resolve() == venv.resolve()
    help_out = run("fourgood", "--help")
    assert help_out.returncode == 0 and "templates" in help_out.stdout
    templates = run("fourgood", "templates", "--out", "mau")
    assert templates.returncode == 0, templates.stderr
    assert sorted(p.name for p in (work / "mau").iterdir()) == [
        "bang-tieu-chi.xlsx", "bang-tong-hop.xlsx", "chi-bo-co-quan.xlsx", "chi-bo-doanh-nghiep.xlsx",
        "chi-bo-don-vi-su-nghiep.xlsx", "chi-bo-thon-khu-dan-cu.xlsx", "danh-sach-chi-bo.xlsx"]
    # the add-in's ribbon and the macros ship in the wheel
    addin = run("fourgood", "addin", "build", "--out", "xl")
    assert addin.returncode == 0, addin.stderr
    assert (work / "xl" / "fourgood.xlam").stat().st_size > 0
    macros = run("python", "-c", "import importlib.resources as r; "
                 "print(r.files('fourgood.macros').joinpath('FourGood.bas').is_file())")
    assert macros.stdout.strip() == "True", macros.stderr
    # every released version of the criteria tables ships too (forms filled on them stay valid)
    versions = run("python", "-c", "from fourgood.spec import load_specs, all_versions; "
                   "print(sorted({s.version for s in all_versions(load_specs())}))")
    assert versions.stdout.strip() == "['2026.1', '2026.2']", versions.stderr
