"""Settings from the environment (and an optional ``.env``), validated at start."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///cebot.sqlite3"
SLACK_API_DEFAULT = "https://slack.com/api/"
MANIFEST_HINT = "See manifest.yml and the README section 'Connect to Slack' for where each value comes from."
MODES_HINT = (
    "Single-workspace mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN instead of the "
    "signing secret, for Socket Mode); multi-workspace (OAuth) mode needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET "
    "and SLACK_SIGNING_SECRET."
)
DEFAULT_BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "files:write", "files:read")
"""The bot scopes of manifest.yml (a test keeps the two equal); ``SLACK_SCOPES`` overrides them."""


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
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    """Both set: multi-workspace (OAuth) mode, where each workspace installs at ``/slack/install``."""
    slack_scopes: str = ",".join(DEFAULT_BOT_SCOPES)
    """Bot scopes asked for at install, comma-separated (default: manifest.yml's)."""
    slack_redirect_uri: str | None = None
    """The OAuth redirect URL, when the app lists more than one (``https://HOST/slack/oauth_redirect``)."""
    slack_token_rotation_minutes: int = 120
    """With token rotation on, refresh a bot token this many minutes before it expires."""
    uninstalled_retention_days: int = 90
    """Days an uninstalled workspace's data is kept before ``cebot purge-uninstalled`` deletes it."""
    log_format: str = "kv"
    """``kv`` (key=value lines) or ``json`` (one JSON object a line)."""
    socket_mode_ping_seconds: float = Field(default=5.0, gt=0)
    """Socket Mode: how often the client pings Slack and checks its connection (slack_sdk's own default; Bolt's
    handler would use 10). A connection Slack closes is replaced at the next check (within this time); one that
    dies without a close (a network drop) after five failed pings, about 25 s at the default."""
    job_lease_seconds: float = 300.0
    """How long a worker holds a job (an export) before another worker may take it over: longer than any job
    takes, short enough that a job whose worker died is picked up again soon (``cebot worker``)."""
    certificate_store: str = ""
    public_url: str | None = None
    """The address the web process is reached at from outside (``https://cebot.example.org``): the base of the
    private calendar feed URLs that ``/ce calendar`` hands out."""
    """Where cebot keeps certificate files: ``file:///folder`` or ``s3://bucket/prefix`` (boto3's usual AWS_*
    variables, ``AWS_ENDPOINT_URL`` for another S3-compatible service). Default: :meth:`certificate_store_url`."""

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

    @property
    def oauth_mode(self) -> bool:
        """Multi-workspace mode: ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are both set."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def bot_scopes(self) -> list[str]:
        return [s.strip() for s in self.slack_scopes.replace(" ", ",").split(",") if s.strip()]

    def secrets(self) -> list[str]:
        """Every secret value set (tokens, signing and client secrets), for redacting logs."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.slack_client_secret)
        return [v for v in values if v]

    def missing_for_slack(self) -> list[str]:
        """The names of the variables that serving Slack needs and that are not set."""
        missing = []
        if self.oauth_mode:
            if not self.slack_signing_secret:
                missing.append("SLACK_SIGNING_SECRET")
            return missing
        if self.slack_client_id and not self.slack_bot_token:
            missing.append("SLACK_CLIENT_SECRET")
        elif self.slack_client_secret and not self.slack_bot_token:
            missing.append("SLACK_CLIENT_ID")
        elif not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if self.socket_mode:
            return missing
        if not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    def require_slack(self) -> None:
        """Fail fast, naming every missing variable and what each mode needs, before serving Slack."""
        missing = self.missing_for_slack()
        if missing:
            raise SettingsError(
                "cebot cannot start: missing " + ", ".join(missing) + ". " + MODES_HINT + " "
                "Set them in the environment or in a .env file. " + MANIFEST_HINT
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'. " + MANIFEST_HINT)
        if self.oauth_mode and self.socket_mode:
            raise SettingsError(
                "Multi-workspace (OAuth) mode serves /slack/install over HTTP: unset SLACK_APP_TOKEN, or unset "
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for single-workspace Socket Mode. " + MANIFEST_HINT
            )
        if self.log_format not in ("kv", "json"):
            raise SettingsError(f"LOG_FORMAT must be kv or json, not {self.log_format!r}.")
        self.certificate_store_url()

    def calendar_url(self, token: str) -> str:
        """The feed URL for ``token``; SettingsError (with what to set) when PUBLIC_URL is not set."""
        base = (self.public_url or "").strip().rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise SettingsError("Calendar feeds need PUBLIC_URL: the https:// address this app's web process is "
                                "reached at (for example https://cebot.example.org).")
        return f"{base}/calendar/{token}.ics"

    def certificate_store_url(self) -> str:
        """``CERTIFICATE_STORE``, checked; unset: ``file://`` a ``certificates`` folder beside the SQLite database
        (in the working directory when the database is not a SQLite file)."""
        value = self.certificate_store.strip()
        if not value:
            db = self.sqlite_path()
            folder = (db.resolve().parent if db is not None else Path.cwd()) / "certificates"
            return f"file://{folder}"
        bucket = value[len("s3://"):].split("/", 1)[0] if value.startswith("s3://") else None
        if not (value.startswith("file://") and len(value) > len("file://")) and not bucket:
            raise SettingsError(
                f"CERTIFICATE_STORE must be file:///path/to/folder or s3://bucket/prefix, not {value!r}. "
                "Leave it unset to keep certificates in a 'certificates' folder beside the SQLite database."
            )
        return value

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (tests use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
