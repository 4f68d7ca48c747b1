"""The server's state files go through `fourgood.atomic` (issue 18): tokens.json stays its owner's
only and reaches the disk before the command says it is done; nothing half-written is left."""

from __future__ import annotations

import os
import stat

from fourgood.atomic import atomic_path
from fourgood.server import token_command
from fourgood.server.tokens import TokenStore


def test_tokens_file_is_its_owners_only_and_replaced_whole(tmp_path, capsys):
    inbox = tmp_path / "hop-thu"
    for unit in ("BV", "UB"):
        assert token_command("add", inbox=str(inbox), unit=unit, role="unit") == 0
    state = tmp_path / "hop-thu.fourgood"
    path = state / "tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in state.iterdir()) == ["receipts", "tmp", "tokens.json"]  # no temporary file left
    assert [t["unit"] for t in TokenStore(path).list()] == ["BV", "UB"]


def test_a_durable_atomic_write_syncs_the_file_and_its_folder_before_returning(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def recording(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    target = tmp_path / "state" / "tokens.json"
    with atomic_path(target, mode=0o600, durable=True) as tmp:
        tmp.write_text("{}", encoding="utf-8")
        written = str(tmp)
    assert synced == [written, str(target.parent)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text(encoding="utf-8") == "{}"
    synced.clear()
    with atomic_path(tmp_path / "report.txt") as tmp:  # an ordinary output: neither synced nor private
        tmp.write_text("x", encoding="utf-8")
    assert synced == [] and stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
