import json

from click.testing import CliRunner

from mlsd.cli import cli
from mlsd.core.config import Settings, mask_secret, resolve_backend


def test_auto_is_offline_without_endpoint_or_key():
    assert resolve_backend(Settings())[0] == "offline"


def test_auto_picks_openai_for_a_key_or_an_endpoint(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    assert resolve_backend(Settings())[0] == "openai"
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("MLSD_BASE_URL", "http://127.0.0.1:11434/v1")
    backend, why = resolve_backend(Settings())
    assert backend == "openai" and "endpoint" in why


def test_explicit_backend_wins_over_auto(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    monkeypatch.setenv("MLSD_LLM", "offline")
    assert resolve_backend(Settings()) == ("offline", "MLSD_LLM=offline")


def test_mlsd_names_win_over_openai_names(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-name/v1")
    monkeypatch.setenv("MLSD_BASE_URL", "http://mlsd-name/v1")
    monkeypatch.setenv("OPENAI_MODEL", "a")
    monkeypatch.setenv("MLSD_MODEL", "b")
    s = Settings()
    assert (s.base_url, s.model) == ("http://mlsd-name/v1", "b")


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("MLSD_LLM=local\nMLSD_MODEL=from-dotenv\n")
    s = Settings()
    assert s.llm == "local" and s.model == "from-dotenv"


def test_invalid_backend_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MLSD_LLM", "gpt")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code != 0
    assert "MLSD_LLM" in str(result.exception) or "llm" in str(result.exception)


def test_mask_never_shows_more_than_four_characters():
    assert mask_secret(None) == "(not set)"
    assert mask_secret("short") == "****"
    assert mask_secret("sk-abcdefghijklmnop") == "****mnop"


def test_config_command_masks_the_key_and_says_why(monkeypatch, isolated_env):
    key = "sk-secret-value-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0, result.output
    assert key not in result.output and key[:-4] not in result.output
    report = json.loads(result.output)
    assert report["backend"] == "openai"
    assert report["api_key"] == "****6789"
    assert report["home"] == str(isolated_env)
    assert report["index"] in ("not built",) or report["index"].startswith(("built", "stale", "not built"))


def test_doctor_is_an_alias_of_config():
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0
    assert "offline" in result.output
