"""The code says what the README says: data flows one way, and the types hold.

- `lint-imports` checks the layer contracts in pyproject.toml ([tool.importlinter]);
- `mypy -p fourgood` checks the types ([tool.mypy]) with zero errors;
- `ruff check .` finds nothing ([tool.ruff]), so the linter runs wherever the tests run, CI included.

`fourgood` is one namespace over five folders ([tool.setuptools.package-dir]); the editable
install resolves them with an import hook that neither grimp (import-linter's graph) nor mypy
follows. Both therefore run on a mirror of the installed layout: a temporary `fourgood/` tree
holding a copy of every module, found first on the path. Paths in their output are mapped back
to the source folders.

Run alone: `python -m pytest tests/test_code_contracts.py`, or `python tests/test_code_contracts.py`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def package_dirs() -> dict[str, Path]:
    """Package name -> source folder, as setuptools maps them."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return {name: ROOT / folder for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def mirror(dest: Path) -> dict[str, str]:
    """Copy every module to DEST in the installed layout; {mirror path: source path} for the output."""
    paths: dict[str, str] = {}
    for name, folder in package_dirs().items():
        target = dest.joinpath(*name.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(folder.glob("*.py")):
            shutil.copy2(source, target / source.name)
            paths[str((target / source.name).relative_to(dest))] = str(source.relative_to(ROOT))
    return paths


def run_tool(args: list[str], tree: Path, paths: dict[str, str]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    proc = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    for copied, source in sorted(paths.items(), key=lambda kv: -len(kv[0])):
        output = output.replace(copied, source)
    return proc.returncode, output


def lint_imports(tree: Path, paths: dict[str, str]) -> tuple[int, str]:
    # `lint-imports` itself, run by this interpreter (the console script may not be on PATH)
    return run_tool(["-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
                     "--config", str(PYPROJECT), "--no-cache", "--no-logo"], tree, paths)


def mypy(tree: Path, paths: dict[str, str]) -> tuple[int, str]:
    return run_tool(["-m", "mypy", "--config-file", str(PYPROJECT), "--no-incremental", "-p", "fourgood"],
                    tree, paths)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    dest = tmp_path_factory.mktemp("installed-layout")
    return dest, mirror(dest)


def test_mirror_holds_every_module(tree):
    dest, paths = tree
    sources = {p for folder in package_dirs().values() for p in folder.glob("*.py")}
    assert len(paths) == len(sources) and len(paths) > 40
    assert {"fourgood/validators/reader.py", "fourgood/workbook_templates/builder.py", "fourgood/addin/entry.py",
            "fourgood/macros/__init__.py", "fourgood/pipeline.py"} <= set(paths)


def test_layer_contracts_hold(tree):
    dest, paths = tree
    code, output = lint_imports(dest, paths)
    assert code == 0, output
    # every module was in the graph: the contracts did not pass over an empty package
    assert f"Analyzed {len(paths)} files" in output, output
    assert "0 broken" in output, output


@pytest.mark.slow
def test_types_check(tree):
    dest, paths = tree
    code, output = mypy(dest, paths)
    assert code == 0, output
    assert f"no issues found in {len(paths)} source files" in output, output


def test_ruff_finds_nothing():
    """ruff over the whole checkout (its own defaults skip .venv), by this interpreter: CI runs the linter too."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        mirrored = mirror(Path(tmp))
        results = [lint_imports(Path(tmp), mirrored), mypy(Path(tmp), mirrored)]
    for _, text in results:
        print(text)
    sys.exit(max(code for code, _ in results))
