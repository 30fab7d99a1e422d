"""Framework-free adapters for pylti1p3: request params in, the cookies it wants set out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pylti1p3.cookie import CookieService
from pylti1p3.request import Request


class LtiRequest(Request):
    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool) -> None:
        self._params = params
        self._cookies = cookies
        self._secure = secure

    @property
    def session(self) -> None:  # pylti1p3 asks for it; our launch state lives server-side
        return None

    def get_param(self, key: str) -> str:
        return self._params.get(key) or ""

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)

    def is_secure(self) -> bool:
        return self._secure


@dataclass
class CookieToSet:
    name: str
    value: str
    max_age: int | None


@dataclass
class CookieJar(CookieService):
    """Collects cookies pylti1p3 wants to set; the web layer writes them with the right flags."""

    request: LtiRequest
    to_set: list[CookieToSet] = field(default_factory=list)

    def _get_key(self, key: str) -> str:
        return f"{self._cookie_prefix}-{key}"

    def get_cookie(self, name: str) -> str | None:
        return self.request.get_cookie(self._get_key(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set.append(CookieToSet(self._get_key(name), str(value), exp))
