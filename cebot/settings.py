"""Settings from the environment (and an optional ``.env``), validated at start."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///cebot.sqlite3"
SLACK_API_DEFAULT = "https://slack.com/api/"
MANIFEST_HINT = "See manifest.yml and the README section 'Connect to Slack' for where each value comes from."


class SettingsError(RuntimeError):
    """A required setting is missing or wrong; the message names each variable."""


class Settings(BaseSettings):
    """Everything cebot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = DEFAULT_SQLITE_URL
    port: int = 3000
    log_level: str = "INFO"
    web_concurrency: int = 2
    run_clock: bool = True
    """Whether `cebot serve` also runs the scheduler in-process (single-process installs)."""

    @field_validator("database_url", mode="before")
    @classmethod
    def _normalise_database_url(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            return DEFAULT_SQLITE_URL
        value = value.strip()
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix):]
        return value

    @field_validator("slack_api_url", mode="before")
    @classmethod
    def _slash_terminated(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            return SLACK_API_DEFAULT
        return value.strip().rstrip("/") + "/"

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def missing_for_slack(self) -> list[str]:
        """The names of the variables that serving Slack needs and that are not set."""
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if self.socket_mode:
            return missing
        if not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    def require_slack(self) -> None:
        """Fail fast, naming every missing variable, before serving Slack."""
        missing = self.missing_for_slack()
        if missing:
            raise SettingsError(
                "cebot cannot start: missing " + ", ".join(missing) + ". "
                "Set them in the environment or in a .env file. " + MANIFEST_HINT
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'. " + MANIFEST_HINT)

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (tests use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
