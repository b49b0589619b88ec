"""Safe by default: the single-user app listens on loopback; serving to others is deliberate, and then with users.

`make run` (`mlsd serve`) binds to 127.0.0.1 unless `MLSD_SERVE_ADDRESS` (or Streamlit's own
`server.address`) says otherwise. Bound elsewhere without sign-in, anyone who can reach the port
could read the sessions and spend the configured API key: the server says so at start and in the
sidebar, and the configured key is only used for requests from this machine.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from mlsd.core.config import Settings

DEFAULT_ADDRESS = "127.0.0.1"


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; False for '' / 0.0.0.0 / :: (every interface) and the rest."""
    text = (address or "").strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def secrets_have_auth(folders: list[Path] | None = None) -> bool:
    """True when a Streamlit secrets.toml (./.streamlit or ~/.streamlit) configures OIDC login (`[auth]`)."""
    for folder in folders or [Path.cwd() / ".streamlit", Path.home() / ".streamlit"]:
        path = folder / "secrets.toml"
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return False


def sign_in_configured(settings: Settings, *, oidc: bool | None = None) -> bool:
    """Users are told apart: OIDC login, or the trusted proxy header."""
    header = bool(settings.trusted_user_header and settings.trusted_user_header.strip())
    return header or (secrets_have_auth() if oidc is None else oidc)


def configured_address(settings: Settings, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """Where `mlsd serve` binds: MLSD_SERVE_ADDRESS, else Streamlit's server.address (its env var or
    ./.streamlit/config.toml), else 127.0.0.1."""
    env = os.environ if env is None else env
    if settings.serve_address and settings.serve_address.strip():
        return settings.serve_address.strip()
    if env.get("STREAMLIT_SERVER_ADDRESS", "").strip():
        return env["STREAMLIT_SERVER_ADDRESS"].strip()
    try:
        config = tomllib.loads(((cwd or Path.cwd()) / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        return str(config.get("server", {}).get("address") or DEFAULT_ADDRESS)
    except (OSError, tomllib.TOMLDecodeError):
        return DEFAULT_ADDRESS


def exposure_warning(address: str | None, signed_in_users: bool) -> str | None:
    """The warning for a server others can reach without signing in; None when it is safe."""
    if signed_in_users or is_loopback(address):
        return None
    where = "every network interface" if (address or "").strip() in ("", "0.0.0.0", "::") else address
    return (f"WARNING: this app is listening on {where} without sign-in. Anyone who can reach it can read and "
            "continue every interview stored here. The configured API key is used only for requests from this "
            "machine. To serve others, configure sign-in (OIDC login, or MLSD_TRUSTED_USER_HEADER behind a proxy "
            "that signs users in) — see docs/deploy.md; to keep it private, unset MLSD_SERVE_ADDRESS "
            f"(the default binds to {DEFAULT_ADDRESS}).")
