"""Running `fourgood serve`: where it may listen, what it says when it starts, and the address the
add-in is served from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ServeError, ServerConfig, make_config

if TYPE_CHECKING:
    from fourgood.spec import SpecSource

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def check_listen(host: str, certfile: str | None, keyfile: str | None) -> None:
    """Plain HTTP only on this computer; anywhere else Office.js and the tokens need HTTPS."""
    if bool(certfile) != bool(keyfile):
        raise ServeError("Cần cả --certfile và --keyfile (chứng chỉ và khóa riêng của máy chủ).")
    for path in (certfile, keyfile):
        if path and not Path(path).is_file():
            raise ServeError(f"Không tìm thấy tệp '{path}'.")
    if not certfile and host not in LOCAL_HOSTS:
        raise ServeError(f"Không chạy HTTP thường trên {host}: mã truy cập và phiếu sẽ đi qua mạng không mã hóa, "
                         f"và Excel chỉ nạp add-in qua HTTPS. Dùng --certfile và --keyfile, hoặc --host 127.0.0.1 "
                         f"để thử trên máy này.")



def start_notes(config: ServerConfig, scheme: str, host: str, port: int) -> list[str]:
    """What the command says when it starts (stderr): where things are, and what will be refused."""
    import shlex

    inbox = config.inbox.inbox
    command = ["fourgood", "consolidate", str(inbox), "-o", str(inbox.parent / "tong-hop.xlsx")]
    if config.roster_path:
        command += ["--roster", config.roster_path]
    notes = [f"trang kiểm tra và nộp phiếu tại {scheme}://{host}:{port}/ ; add-in Excel: "
             f"{scheme}://{host}:{port}/manifest.xml",
             f"hộp thư phiếu nộp {inbox} (tổng hợp: {shlex.join(command)})"]
    if not config.roster_path:
        notes.append("chạy không có danh sách chi bộ (--roster): mã truy cập của các đơn vị sẽ bị từ chối khi nộp "
                     "phiếu; chỉ mã của Ban Tổ chức (vai trò board) nộp được.")
    if not config.inbox.link:
        notes.append(f"thư mục dữ liệu {config.inbox.state} không tạo được liên kết cứng sang hộp thư (khác ổ đĩa, ổ "
                     f"mạng hoặc FAT): phiếu được ghi vào một tệp tạm ẩn trong hộp thư rồi đổi tên.")
    return notes


def serve(*, inbox: str, roster: str | None, host: str = "127.0.0.1", port: int = 8000, certfile: str | None = None,
          keyfile: str | None = None, state: str | None = None, criteria: SpecSource = None,
          max_upload_mb: float = 10, rate: int = 30, hostname: str | None = None, lang: str = "vi",
          **limits: Any) -> int:
    """Start the server (blocks until stopped)."""
    import os

    check_listen(host, certfile, keyfile)
    try:
        import uvicorn

        from .app import full_app
    except ImportError as exc:
        raise ServeError(f"Thiếu gói cho máy chủ ({exc.name}): cài bằng  pip install \"fourgood[server]\"") from None
    config = make_config(inbox, roster, state=state, criteria=criteria, max_upload_mb=max_upload_mb, rate=rate,
                         lang=lang, **limits)
    scheme = "https" if certfile else "http"
    config.public_url = public_url(scheme, host, port, hostname)
    config.pool.start()
    if os.environ.get("XLWINGS_LICENSE_KEY"):
        app = full_app(config)
    else:  # xlwings refuses to load on a server without a key: the page and the API still run
        from .api import plain_app

        app = plain_app(config)
    for note in start_notes(config, scheme, host, port):
        print(f"fourgood: {note}", file=sys.stderr)
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        print("fourgood: chưa đặt biến môi trường XLWINGS_LICENSE_KEY: trang web và API vẫn chạy, nhưng add-in Excel "
              "(xlwings Server: /manifest.xml, các nút của thẻ “4 Tốt”) chỉ bật khi có khóa giấy phép xlwings (README).",
              file=sys.stderr)
    uvicorn.run(app, host=host, port=port, ssl_certfile=certfile, ssl_keyfile=keyfile, log_level="warning",
                timeout_graceful_shutdown=10)
    return 0


def public_url(scheme: str, host: str, port: int, hostname: str | None) -> str:
    """The add-in's address, from configuration only (never a request's Host header): --hostname
    (with its port, if it gives one; https, as Office loads add-ins only over HTTPS, unless it
    starts with http://), else the address the server listens on."""
    if hostname:  # the public name (often behind a TLS proxy): https unless it says otherwise
        given, _, name = hostname.rpartition("://")
        return f"{given or 'https'}://{name.rstrip('/')}"
    shown = f"[{host}]" if ":" in host else host
    default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    return f"{scheme}://{shown}" + ("" if default else f":{port}")
