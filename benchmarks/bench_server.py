"""Load test of `fourgood serve` on 127.0.0.1 (bounded; never another host).

    python benchmarks/bench_server.py [--submissions 200] [--clients 20] [--kill-after 60] [--checks 30]
    python benchmarks/bench_server.py --only check [--checks 30]      # the CPU of one check only

Phase 1: N distinct real forms submitted by C concurrent clients (each with its own board token)
to a server started as its own process: every submission must get a receipt, the inbox must hold
exactly those files byte-identical, and one `fourgood consolidate` of the inbox must count each
cell once. Phase 2 (--kill-after K > 0): the server is killed (SIGKILL) after K receipts while
clients keep sending, restarted, and the clients retry what failed: no accepted file may be lost
and no partial file may be left. Prints p50/p95 latency, failures and the server's peak RSS
(VmHWM); the last line printed is JSON. Figures, not assertions: tests/test_server_load.py runs the
same code and asserts only correctness.

Check CPU (`check_cpu`, --checks N): one form checked N times, one after another. `check_cpu_ms` is
the median CPU of the check inside its process of the check pool `fourgood serve` runs (fork
server preloaded and warmed, `getrusage` in the child, as `Usage` reports it); `check_process_cpu_ms`
that process's whole life (fork, the specs and the upload received); `server_cpu_ms_per_check` the
median over N `POST /api/check` to a running server of the CPU of the server and its fork server
with every check process it reaped (/proc: utime + stime + cutime + cstime).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_forms(n: int, out: Path) -> list[Path]:
    from fourgood.spec import load_specs
    from fourgood.workbook_templates.writer import template_filename, write_templates
    from tests.helpers import make_submission

    specs = load_specs()
    templates = out / "mau"
    write_templates(templates, specs)
    kinds = list(specs)
    forms = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        code = f"LT-{i:04d}"
        total = 90 + (i % 21) * 0.5
        forms.append(make_submission(templates / template_filename(kind), specs[kind], out / f"{code}.xlsx", total,
                                     info={"cell_code": code, "cell_name": f"Chi bộ {code}"}))
    return forms


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def submit(url: str, token: str, path: Path) -> tuple[int, dict, float]:
    body, ctype = _multipart(path.name, path.read_bytes())
    req = urllib.request.Request(url + "/api/submit", data=body, method="POST",
                                 headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return (e.code, {"detail": e.read().decode("utf-8", "replace"), "retry_after": e.headers.get("Retry-After") or 1},
                time.perf_counter() - t0)
    except OSError as e:  # connection refused / reset: the server is down
        return 0, {"detail": str(e)}, time.perf_counter() - t0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _tokens(inbox: Path, n: int) -> list[str]:
    from fourgood.server.inbox import Inbox
    from fourgood.server.tokens import TokenStore

    store = TokenStore(Inbox.open(inbox).tokens_path)
    return [store.add("T", "board")[1] for _ in range(n)]


def _run_clients(url: str, tokens: list[str], forms: list[Path], on_receipt=None, retry_until: float = 0.0):
    """Each client sends its share of forms in turn; with retry_until, a failed send is retried (server down)."""
    results: dict[Path, tuple[int, dict, float]] = {}
    lock = threading.Lock()
    shares = [forms[i::len(tokens)] for i in range(len(tokens))]

    def client(i: int) -> None:
        for path in shares[i]:
            waited = 0.0
            while True:
                status, body, seconds = submit(url, tokens[i], path)
                if status in (429, 503) and waited < 600:  # the server asks to come back: a client does
                    pause = float(body.get("retry_after", 1))
                    waited += pause
                    time.sleep(pause)
                    continue
                if status == 201 or time.monotonic() >= retry_until:
                    break
                time.sleep(0.2)
            with lock:
                results[path] = (status, body, seconds)
            if status == 201 and on_receipt:
                on_receipt()

    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(client, range(len(tokens))))
    return results


def check_inbox(inbox: Path, receipts: dict[Path, dict]) -> None:
    stored = {p.name: p.read_bytes() for p in inbox.iterdir()}
    for path, receipt in receipts.items():
        data = path.read_bytes()
        assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
        assert stored.get(receipt["stored_as"]) == data, f"{path.name}: not in the inbox byte-identical"
    assert len(stored) == len(receipts), f"inbox holds {len(stored)} files for {len(receipts)} receipts"
    assert not list((inbox.parent / (inbox.name + ".fourgood") / "tmp").iterdir()), "partial files left behind"


def consolidate_once(inbox: Path, work: Path, n: int) -> dict:
    from fourgood.consolidate_cmd import run_consolidate

    _, c = run_consolidate([str(inbox)], str(work / "tong-hop.xlsx"), quiet=True)
    s = c.summary
    assert (s["files_total"], s["files_valid"], s["cells"], s["duplicates"]) == (n, n, n, 0), s
    return s


def _proc_cpu_s(pid: int, children: bool = False) -> float:
    """CPU seconds of a process (/proc/PID/stat), with its reaped children's when asked."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15 if children else 13])  # utime stime [cutime cstime]
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _tree_cpu_s(server: int, children: list[int]) -> float:
    """The server's own CPU, and its children's with what they reaped (the fork server reaps the checks)."""
    return _proc_cpu_s(server) + sum(_proc_cpu_s(pid, children=True) for pid in children)


def check(url: str, path: Path) -> tuple[int, dict]:
    body, ctype = _multipart(path.name, path.read_bytes())
    req = urllib.request.Request(url + "/api/check", data=body, method="POST", headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, json.loads(r.read())


def check_cpu(n: int = 30, work: Path | None = None) -> dict:
    """CPU per check of one form: in the check pool's process, and in a running server (see the docstring)."""
    from fourgood.server.pool import CheckPool
    from fourgood.spec import load_specs
    from tests.server_process import Served

    work = Path(work or tempfile.mkdtemp(prefix="fourgood-check-cpu-"))
    form = make_forms(1, work / "phieu")[0]
    data, specs = form.read_bytes(), load_specs()
    pool = CheckPool(workers=1, queue=1, seconds=30)
    pool.start()
    pool.run(data, form.name, specs, "vi")  # the first check after start-up is not the figure
    cpu, whole, wall = [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        obj, usage = pool.run(data, form.name, specs, "vi")
        wall.append(time.perf_counter() - t0)
        assert obj["valid"], obj
        cpu.append(usage.cpu_seconds)
        whole.append(usage.process_cpu_seconds)
    server_cpu = []
    with Served(work / "hop-thu", None, args=["--anonymous-rate", "0"]) as server:
        assert server.proc is not None
        check(server.url, form)  # as above: the first check is not the figure
        for _ in range(n):
            tree = _children(server.proc.pid)  # the fork server (and the resource tracker): the server's children
            before = _tree_cpu_s(server.proc.pid, tree)
            status, obj = check(server.url, form)
            time.sleep(0.05)  # the fork server reaps the check's process on SIGCHLD
            server_cpu.append(_tree_cpu_s(server.proc.pid, tree) - before)
            assert status == 200 and obj["valid"], obj

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 1)

    return {"checks": n, "check_cpu_ms": ms(cpu), "check_cpu_ms_min": round(min(cpu) * 1000, 1),
            "check_process_cpu_ms": ms(whole), "check_wall_ms": ms(wall),
            "server_cpu_ms_per_check": ms(server_cpu)}


def run(n: int = 200, clients: int = 20, kill_after: int = 60, work: Path | None = None) -> dict:
    from tests.server_process import Served

    work = Path(work or tempfile.mkdtemp(prefix="fourgood-load-"))
    forms = make_forms(n, work / "phieu")
    out: dict = {"submissions": n, "clients": clients, "python": platform.python_version(),
                 "cpus": __import__("os").cpu_count()}

    # phase 1: steady load
    inbox = work / "hop-thu"
    tokens = _tokens(inbox, clients)
    with Served(inbox, None, rate=10_000) as server:
        t0 = time.perf_counter()
        results = _run_clients(server.url, tokens, forms)
        wall = time.perf_counter() - t0
        rss = peak_rss_mb(server.proc.pid)
    lat = sorted(s for _, _, s in results.values())
    failures = sum(1 for st, _, _ in results.values() if st != 201)
    out["phase1"] = {"requests": len(results), "failures": failures, "p50_s": round(statistics.median(lat), 3),
                     "p95_s": round(lat[int(0.95 * (len(lat) - 1))], 3), "max_s": round(lat[-1], 3),
                     "wall_s": round(wall, 1), "throughput_per_s": round(len(results) / wall, 2),
                     "server_peak_rss_mb": round(rss, 1)}
    receipts = {p: b for p, (st, b, _) in results.items() if st == 201}
    check_inbox(inbox, receipts)
    out["phase1"]["consolidated_cells"] = consolidate_once(inbox, work, n)["cells"]

    # phase 2: killed mid-run, restarted; clients retry what failed
    if kill_after > 0:
        inbox2 = work / "hop-thu-2"
        tokens2 = _tokens(inbox2, clients)
        server = Served(inbox2, None, rate=10_000).start()
        count = {"n": 0, "killed_at": None}
        lock = threading.Lock()

        def on_receipt() -> None:
            with lock:
                count["n"] += 1
                if count["n"] == kill_after and count["killed_at"] is None:
                    count["killed_at"] = time.monotonic()
                    server.kill()  # SIGKILL: no chance to finish anything in flight
                    threading.Timer(1.0, lambda: server.start()).start()

        results2 = _run_clients(server.url, tokens2, forms, on_receipt, retry_until=time.monotonic() + 600)
        server.stop()
        receipts2 = {p: b for p, (st, b, _) in results2.items() if st == 201}
        out["phase2"] = {"killed_after_receipts": kill_after,
                         "receipts": len(receipts2), "failures_after_retry": len(results2) - len(receipts2)}
        check_inbox(inbox2, receipts2)
        out["phase2"]["consolidated_cells"] = consolidate_once(inbox2, work, n)["cells"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--submissions", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--kill-after", type=int, default=60)
    ap.add_argument("--checks", type=int, default=30, help="checks of one form measured for check_cpu_ms (0: none)")
    ap.add_argument("--only", choices=["check"], help="measure only the CPU of one check")
    args = ap.parse_args()
    result = {} if args.only else run(args.submissions, args.clients, args.kill_after)
    if "phase1" in result:
        p1 = result["phase1"]
        print(f"{p1['requests']} requests, {p1['failures']} failures, p50 {p1['p50_s']} s, p95 {p1['p95_s']} s, "
              f"server peak RSS {p1['server_peak_rss_mb']} MB, {p1['throughput_per_s']}/s")
    if args.checks > 0:
        result.update(check_cpu(args.checks))
        print(f"one check: {result['check_cpu_ms']} ms CPU in its process ({result['check_process_cpu_ms']} ms with "
              f"the fork), {result['server_cpu_ms_per_check']} ms CPU in the running server, median of {args.checks}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
