"""Identity, the CLI's MLSD_USER, safe binding (`make run` on loopback) and where the configured key may go."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mlsd.access.exposure import configured_address, exposure_warning, is_loopback, secrets_have_auth
from mlsd.access.identity import admins, resolve_identity
from mlsd.cli import cli
from mlsd.core.config import LOCAL_USER, Settings
from mlsd.llm.providers import build_settings

ROOT = Path(__file__).resolve().parents[1]


def who(**kw):
    base = dict(oidc_configured=False, oidc_user=None, headers={}, trusted_header=None)
    return resolve_identity(**(base | kw))


def test_identity_comes_from_oidc_then_the_trusted_header_then_the_local_user():
    assert who().user == LOCAL_USER and not who().sign_in_required
    assert who(headers={"X-Forwarded-Email": "eve@x.org"}).user == LOCAL_USER  # not trusted: ignored
    hdr = who(headers={"x-forwarded-email": " Eve@X.org "}, trusted_header="X-Forwarded-Email")
    assert (hdr.user, hdr.via, hdr.sign_in_required) == ("eve@x.org", "header", True)
    for bad in ({}, {"X-Forwarded-Email": ""}, {"X-Forwarded-Email": "a\nb"}, {"X-Forwarded-Email": "x" * 400}):
        missing = who(headers=bad, trusted_header="X-Forwarded-Email")
        assert not missing.signed_in and "X-Forwarded-Email" in missing.why
    oidc = who(oidc_configured=True, oidc_user={"is_logged_in": True, "email": "Ann@Uni.edu", "sub": "123"},
               headers={"X-Forwarded-Email": "eve@x.org"}, trusted_header="X-Forwarded-Email")
    assert (oidc.user, oidc.via) == ("ann@uni.edu", "oidc")
    assert who(oidc_configured=True, oidc_user={"is_logged_in": True, "sub": "abc"}).user == "abc"
    assert not who(oidc_configured=True, oidc_user={"is_logged_in": False}).signed_in
    assert admins(" Ann@Uni.edu, ,bob ") == {"ann@uni.edu", "bob"}


def test_exposure_is_anything_but_loopback_without_sign_in(tmp_path):
    for address in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert is_loopback(address) and exposure_warning(address, False) is None
    for address in ("0.0.0.0", "", "::", "192.168.1.10", "example.org"):
        assert not is_loopback(address)
        assert "without sign-in" in exposure_warning(address, False)
        assert exposure_warning(address, True) is None
    assert configured_address(Settings(), env={}, cwd=ROOT) == "127.0.0.1"  # the app's own config.toml
    assert configured_address(Settings(), env={}, cwd=tmp_path) == "127.0.0.1"  # no config at all
    assert configured_address(Settings(), env={"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}, cwd=ROOT) == "0.0.0.0"
    assert configured_address(Settings(serve_address="10.0.0.5"), env={}, cwd=ROOT) == "10.0.0.5"
    (tmp_path / "secrets.toml").write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\n')
    assert secrets_have_auth([tmp_path]) and not secrets_have_auth([tmp_path / "none"])


def test_the_configured_key_goes_nowhere_its_owner_did_not_send_it(monkeypatch):
    monkeypatch.setenv("MLSD_API_KEY", "sk-operator-key-123456")
    monkeypatch.setenv("MLSD_BASE_URL", "http://127.0.0.1:9/v1")
    assert build_settings("auto").key_value() == "sk-operator-key-123456"
    assert build_settings("auto", configured_key=False).key_value() is None
    assert build_settings("openai", base_url="http://127.0.0.1:9/v1").key_value() == "sk-operator-key-123456"
    assert build_settings("openai", base_url="https://attacker.example/v1").key_value() is None
    assert build_settings("openai", base_url="https://mine.example/v1", api_key="sk-my-own").key_value() == "sk-my-own"


def test_mlsd_serve_binds_to_loopback_unless_told_and_warns_when_exposed(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["serve", "--check"])
    assert result.exit_code == 0 and "--server.address 127.0.0.1" in result.output
    assert "WARNING" not in result.output
    monkeypatch.setenv("MLSD_SERVE_ADDRESS", "0.0.0.0")
    result = CliRunner().invoke(cli, ["serve", "--check"])
    assert "--server.address 0.0.0.0" in result.output and "without sign-in" in result.output
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", "X-Forwarded-Email")
    assert "WARNING" not in CliRunner().invoke(cli, ["serve", "--check"]).output


# -- the CLI acts as MLSD_USER ----------------------------------------------------------------------------
def test_the_cli_shows_only_mlsd_users_sessions(tmp_path, monkeypatch):
    replay = tmp_path / "turns.json"
    replay.write_text(json.dumps(["What is the latency budget?"]))
    monkeypatch.setenv("MLSD_USER", "alice@example.com")
    result = CliRunner().invoke(cli, ["interview", "--problem", "bank_fraud_detection", "--replay", str(replay),
                                      "--json"])
    assert result.exit_code == 0, result.output
    sid = json.loads(result.output.strip().splitlines()[-1])["session_id"]
    assert sid in CliRunner().invoke(cli, ["sessions"]).output
    assert "latency budget" in CliRunner().invoke(cli, ["export", sid]).output

    monkeypatch.setenv("MLSD_USER", "bob@example.com")
    assert sid not in CliRunner().invoke(cli, ["sessions"]).output
    for args in (["export", sid], ["export", sid, "--format", "json"], ["interview", "--resume", sid]):
        theirs = CliRunner().invoke(cli, args)
        missing = CliRunner().invoke(cli, [a.replace(sid, "0123456789ab") for a in args])
        assert theirs.exit_code == missing.exit_code == 1
        assert theirs.output == missing.output.replace("0123456789ab", sid)
        assert f"no interview session {sid!r}" in theirs.output
    monkeypatch.delenv("MLSD_USER")
    assert sid not in CliRunner().invoke(cli, ["sessions"]).output  # the local user is a user like any other


def test_mlsd_config_and_an_unreachable_database_name_the_url_with_its_password_masked(monkeypatch):
    monkeypatch.setenv("MLSD_DATABASE_URL", "postgresql://mlsd:hunter2secret@127.0.0.1:1/cohort")
    monkeypatch.setenv("MLSD_USER", "ann@uni.edu")
    monkeypatch.setenv("MLSD_DB_TIMEOUT", "1")
    result = CliRunner().invoke(cli, ["config", "--json"])
    report = json.loads(result.output)
    assert report["database"] == "postgresql://mlsd:****@127.0.0.1:1/cohort" and report["user"] == "ann@uni.edu"
    for args in (["sessions"], ["export", "0123456789ab"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert "the database at postgresql://mlsd:****@127.0.0.1:1/cohort is not reachable" in result.output
        assert "hunter2secret" not in result.output and "Traceback" not in result.output
