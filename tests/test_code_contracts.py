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


def package_dirs(root: Path = ROOT) -> dict[str, Path]:
    """Package name -> source folder, as setuptools maps them: every package [tool.setuptools] lists,
    at any depth (`fourgood.server.routes`), in the folder of its nearest mapped ancestor."""
    setuptools = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {name: root / folder for name, folder in setuptools["package-dir"].items()}
    dirs: dict[str, Path] = {}
    for name in setuptools["packages"]:
        base = max((m for m in mapped if name == m or name.startswith(m + ".")), key=len)
        dirs[name] = mapped[base].joinpath(*name[len(base):].split(".")[1:])
    return dirs


def package_data(root: Path = ROOT) -> dict[str, list[str]]:
    """Package name -> its package-data globs (files shipped as data, such as xlwings Server's project)."""
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"].get(
        "package-data", {})


def mirror(dest: Path, root: Path = ROOT) -> dict[str, str]:
    """Copy every module to DEST in the installed layout; {mirror path: source path} for the output."""
    paths: dict[str, str] = {}
    for name, folder in package_dirs(root).items():
        target = dest.joinpath(*name.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(folder.glob("*.py")):
            shutil.copy2(source, target / source.name)
            paths[str((target / source.name).relative_to(dest))] = str(source.relative_to(root))
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
            "fourgood/macros/__init__.py", "fourgood/pipeline.py", "fourgood/cli/dispatch.py",
            "fourgood/server/routes/submit.py"} <= set(paths)


def test_every_package_folder_at_any_depth_is_shipped_and_mirrored():
    """A folder with an __init__.py under a mapped folder is a package the wheel must list (or the
    wheel lacks it, and mypy and the layers never see it), unless it is shipped as package data."""
    dirs = package_dirs()
    listed = {folder.resolve() for folder in dirs.values()}
    data = package_data()
    for name, folder in tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"][
            "package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.relative_to(ROOT / folder)
            if any(relative.match(glob) for glob in data.get(name, [])):
                continue  # xlwings Server's project folder: data read by xlwings, not a fourgood package
            assert init.parent.resolve() in listed, f"{init.parent} is not in [tool.setuptools] packages"


def test_the_mirror_reaches_a_module_three_packages_deep(tmp_path):
    root = tmp_path / "checkout"
    for folder in ("src/pkg", "src/pkg/sub", "src/pkg/sub/deep", "other"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("", encoding="utf-8")
    (root / "src/pkg/sub/deep/leaf.py").write_text("X = 1\n", encoding="utf-8")
    (root / "other/side.py").write_text("Y = 2\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.setuptools]\npackages = ["pkg", "pkg.sub", "pkg.sub.deep", "pkg.other"]\n'
        '[tool.setuptools.package-dir]\npkg = "src/pkg"\n"pkg.other" = "other"\n', encoding="utf-8")
    paths = mirror(tmp_path / "mirror", root)
    assert paths["pkg/sub/deep/leaf.py"] == "src/pkg/sub/deep/leaf.py"
    assert paths["pkg/other/side.py"] == "other/side.py"
    assert (tmp_path / "mirror/pkg/sub/deep/leaf.py").read_text(encoding="utf-8") == "X = 1\n"


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
