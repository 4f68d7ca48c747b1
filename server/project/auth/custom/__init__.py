"""xlwings Server's "custom" auth provider, backed by fourgood's tokens (`fourgood serve token add`).

The Authorization header carries `Bearer fg_…` (the task pane stores the token the user typed).
No token: an anonymous user who may check forms but not consolidate. A wrong or revoked token: 401.
Deliberately not cached, so a revoked token stops working at once.
"""

from fastapi import status
from fastapi.exceptions import HTTPException
from xlwings_server.models import User

from fourgood.server import app as _app


async def validate_token(token_string: str):
    if not (token_string or "").strip() or token_string.strip().lower() == "bearer":
        return User(id="anonymous", name="anonymous", roles=[])
    who = _app.current_config().tokens.verify(token_string)
    if who is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="Mã truy cập không đúng hoặc đã bị thu hồi.")
    return User(id=who.token_id, name=who.unit, roles=[who.role])
