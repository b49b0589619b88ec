"""One error tree. The CLI turns these into one-line messages, the app into st.error.

Every message names what went wrong and where, and never contains a secret.
"""

from __future__ import annotations


class MLSDError(Exception):
    """Base for every error the product raises on purpose."""


class ConfigError(MLSDError):
    """A setting is missing or invalid; the message names the variable that fixes it."""


class LLMUnavailableError(MLSDError):
    """The LLM endpoint could not be reached or kept failing (connection, timeout, 5xx, 429)."""


class LLMOutputError(MLSDError):
    """The model never produced output that validates, after re-asks and fallbacks."""

    def __init__(self, message: str, *, attempts: int = 0, last_raw: str | None = None):
        super().__init__(message)
        self.attempts = attempts
        self.last_raw = last_raw


class DataFileError(MLSDError):
    """A rubric, problem, knowledge or transcript file is malformed.

    `path`, `field` and `line` say where; the message says what.
    """

    def __init__(self, path: str, problem: str, *, field: str | None = None, line: int | None = None):
        self.path = str(path)
        self.field = field
        self.line = line
        self.problem = problem
        where = self.path
        if line is not None:
            where += f":{line}"
        if field:
            where += f" [{field}]"
        super().__init__(f"{where}: {problem}")


class TranscriptError(MLSDError):
    """A transcript could not be parsed (empty, too large, unknown role, bad encoding)."""


class NotFoundError(MLSDError):
    """A named thing (problem id, rubric id, session id) does not exist."""


class DatabaseUnavailableError(MLSDError):
    """The session database could not be reached or refused the write (server down, file unwritable).

    The message names the database (a PostgreSQL URL with its password masked) and what went wrong.
    Nothing the caller was writing is committed; callers keep what the user typed and let them retry.
    """
