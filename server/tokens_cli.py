"""`fourgood serve token add|list|revoke`: the board hands out and withdraws access tokens."""

from __future__ import annotations

from .checking import Roster
from .config import ServeError
from .inbox import Inbox
from .tokens import TokenStore


def token_command(action: str, *, inbox: str, state: str | None = None, unit: str | None = None,
                  role: str = "unit", token_id: str | None = None, roster: str | None = None) -> int:
    """`fourgood serve token add|list|revoke`."""
    box = Inbox.open(inbox, state)
    tokens = TokenStore(box.tokens_path)
    if action == "add":
        assert unit is not None
        if roster and role == "unit":
            if not Roster.read(roster).known_unit(unit):
                raise ServeError(f"Mã {unit} không có trong danh sách chi bộ (không phải mã chi bộ hay mã tổ chức "
                                 f"đảng nào trong '{roster}').")
        token_id, token = tokens.add(unit, role)
        print(f"Mã truy cập cho {unit} (vai trò {role}, số hiệu {token_id}) — chỉ hiển thị một lần, hãy gửi cho đơn vị:")
        print(token)
        return 0
    if action == "list":
        rows = tokens.list()
        if not rows:
            print("Chưa có mã truy cập nào.")
        for t in rows:
            state_text = f"đã thu hồi {t['revoked']}" if t["revoked"] else "đang dùng"
            print(f"{t['id']}  {t['unit']:<16} {t['role']:<6} tạo {t['created']}  {state_text}")
        return 0
    if action == "revoke":
        assert token_id is not None
        if tokens.revoke(token_id):
            print(f"Đã thu hồi mã truy cập {token_id}.")
            return 0
        raise ServeError(f"Không có mã truy cập đang dùng với số hiệu {token_id}.")
    raise ServeError(action)
