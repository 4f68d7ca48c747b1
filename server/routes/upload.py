"""What the check and the submission share: the upload received (a check's held in memory, a
submission's saved under its content hash in a private folder, streamed) and checked in the
bounded pool."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..answers import answer
from ..checking import display_name, read_upload, save_upload
from ..config import ServerConfig
from ..pool import Overrun

T = TypeVar("T")


@contextmanager
def upload_folder(config: ServerConfig, prefix: str) -> Iterator[Path]:
    """A private folder in the state's tmp/ for one upload, removed whatever happens."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=config.inbox.tmp_dir))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def received(file: Any, config: ServerConfig, work: Path) -> tuple[Path, str] | JSONResponse:
    """The upload saved in `work` under its content hash (streamed: never whole in memory)."""
    return await _received(file, config, lambda f: save_upload(f, work, config.max_upload), lambda p: p.stat().st_size)


async def received_bytes(file: Any, config: ServerConfig) -> tuple[bytes, str] | JSONResponse:
    """The upload's bytes, for a check: nothing is written to disk (bounded by `max_upload`)."""
    return await _received(file, config, lambda f: read_upload(f, config.max_upload), len)


async def _received(file: Any, config: ServerConfig, take: Callable[[Any], T | None],
                    size: Callable[[T], int]) -> tuple[T, str] | JSONResponse:
    """The upload taken by `take` (None when empty), refused when absent, empty or over `max_upload`."""
    if file is None or not hasattr(file, "file"):
        return answer(config, 400, "http_no_file")
    got = await run_in_threadpool(take, file.file)
    if got is None:
        return answer(config, 400, "http_empty")
    if size(got) > config.max_upload:
        from ..guard import _limit_shown

        return answer(config, 413, "http_too_large", expected=_limit_shown(config.max_upload, "http_too_large"))
    return got, display_name(file.filename)


async def checked(config: ServerConfig, upload: bytes | Path, name: str) -> dict[str, Any] | JSONResponse:
    """One element of `fourgood validate --json` for the upload (its bytes, or the saved file), or 422
    when its check overran."""
    try:
        obj, _ = await run_in_threadpool(config.pool.run, upload, name, config.specs, config.lang)
    except Overrun:
        return answer(config, 422, "http_check_limit", expected=config.check_seconds)
    return obj
