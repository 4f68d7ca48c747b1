"""`--scheduler ADDRESS`: the read-and-validate stage on a dask.distributed cluster gives the same
results as local processes (`--jobs 2`); a missing Dask or an unreachable scheduler is a clear
message and exit 2."""

from __future__ import annotations

import json
import sys

import pytest

from fourgood.cli import main

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, memory_limit="1GiB") as c:
        yield c.scheduler_address


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("dask") / "demo"
    assert main(["demo", "--out", str(out), "--seed", "7"]) == 0
    return out


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


@pytest.mark.slow
def test_validate_on_a_cluster_equals_jobs_2(cluster, demo, capsys):
    capsys.readouterr()
    inbox = str(demo / "phieu-nop")
    code_local, local, _ = _run(capsys, "validate", inbox, "--json", "--jobs", "2")
    code_dask, remote, _ = _run(capsys, "validate", inbox, "--json", "--scheduler", cluster)
    assert code_dask == code_local
    assert json.loads(remote) == json.loads(local)
    assert len(json.loads(local)) >= 20  # the demo's inbox: a real batch with every verdict


@pytest.mark.slow
def test_consolidate_on_a_cluster_equals_jobs_2(cluster, demo, tmp_path, capsys):
    capsys.readouterr()
    inbox = str(demo / "phieu-nop")
    roster = str(demo / "danh-sach-chi-bo.xlsx")
    summaries = []
    for name, how in (("local", ["--jobs", "2"]), ("dask", ["--scheduler", cluster])):
        code, _, _ = _run(capsys, "consolidate", inbox, "--roster", roster, "-o", str(tmp_path / f"{name}.xlsx"),
                          "--summary-json", str(tmp_path / f"{name}.json"), *how)
        assert code == 0
        summaries.append(json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8")))
    assert summaries[0] == summaries[1]


@pytest.mark.slow
def test_unreachable_scheduler_is_a_clear_message(demo, capsys):
    code, out, err = _run(capsys, "validate", str(demo / "phieu-nop"), "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2
    assert "Không kết nối được bộ điều phối Dask tại tcp://127.0.0.1:9" in err
    assert "Traceback" not in err and out == ""


@pytest.mark.slow
def test_missing_dask_is_a_clear_message(demo, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    code, _, err = _run(capsys, "consolidate", str(demo / "phieu-nop"), "-o", str(demo / "x.xlsx"),
                        "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2
    assert "pip install fourgood[dask]" in err and "cần Dask" in err
    code, _, err = _run(capsys, "validate", str(demo / "phieu-nop"), "--scheduler", "tcp://127.0.0.1:8786",
                        "--lang", "en")
    assert code == 2 and "--scheduler needs Dask" in err
