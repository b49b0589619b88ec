"""Who the current user is: Streamlit's OIDC login, a trusted reverse-proxy header, or the single local user.

- OIDC (`st.login`, an `[auth]` section in `.streamlit/secrets.toml`): the signed-in user's e-mail
  (or subject). Not signed in: nobody, and the app shows only a sign-in button.
- `MLSD_TRUSTED_USER_HEADER` (e.g. `X-Forwarded-Email` from oauth2-proxy): the header's value.
  Trusted only when that variable is set, and safe only behind a proxy that strips the header from
  what clients send. A request without it is nobody.
- Neither: the single local user, as before users existed.

`acting_user` tells code that cannot be handed the user (the exchange log, subscribed once to an
LLM client that many users share) whose request this thread is serving.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from mlsd.core.config import LOCAL_USER

MAX_USER_CHARS = 320  # the longest e-mail address
_acting: ContextVar[str | None] = ContextVar("mlsd_acting_user", default=None)


@dataclass(frozen=True)
class Identity:
    user: str | None  # None: nobody is signed in
    via: str  # "oidc" | "header" | "local"
    why: str = ""  # when nobody is signed in: what is missing

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def sign_in_required(self) -> bool:
        """True when users are told apart (OIDC or the proxy header), so the app serves a cohort."""
        return self.via != "local"


def clean_user(value: object) -> str | None:
    """A usable user id from a header or a token claim, or None for empty, oversized or control characters."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_USER_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    return text.lower() if "@" in text else text  # e-mail addresses are case-insensitive


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.strip().lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def resolve_identity(*, oidc_configured: bool, oidc_user: Mapping | None, headers: Mapping[str, str],
                     trusted_header: str | None, local_user: str = LOCAL_USER) -> Identity:
    """Who is asking. A user header is read only when `trusted_header` names it; otherwise it is ignored."""
    if oidc_configured:
        info = oidc_user or {}
        if not info.get("is_logged_in"):
            return Identity(None, "oidc", "not signed in")
        user = clean_user(info.get("email")) or clean_user(info.get("sub"))
        return Identity(user, "oidc", "" if user else "the identity provider sent no e-mail or subject")
    if trusted_header and trusted_header.strip():
        user = clean_user(header_value(headers, trusted_header))
        return Identity(user, "header", "" if user else f"the request has no usable {trusted_header.strip()} header")
    return Identity(local_user, "local")


def acting_user() -> str | None:
    """The user this thread is serving, when the app said so with `act_as`."""
    return _acting.get()


def set_acting_user(user: str | None) -> None:
    """For the app: each script run serves one user from start to end, on its own thread."""
    _acting.set(user)


@contextmanager
def act_as(user: str | None) -> Iterator[None]:
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def admins(setting: str) -> set[str]:
    """MLSD_ADMINS: comma-separated users who may see cohort aggregates."""
    return {u for u in (clean_user(p) for p in setting.split(",")) if u}
