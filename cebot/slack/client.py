"""The Slack Web API client every part of cebot uses: ``SLACK_API_URL``, a bot token, retries."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from cebot.core.settings import Settings

WEB_API_TIMEOUT_SECONDS = 10


def make_web_client(
    settings: Settings, *, token: str | None = None, timeout: int | None = None, rate_limit_retries: int | None = None,
    connection_retries: int = 2,
) -> WebClient:
    """The Web API client: ``SLACK_API_URL``, a bot token, and retries on rate limits and dropped connections.

    ``token`` defaults to ``SLACK_BOT_TOKEN`` in single-workspace mode and to none in OAuth mode (Bolt sets each
    request's from the installation store). Bolt copies ``base_url`` and the retry handlers into the client it makes
    for each request (``App._init_context``), so every call a listener makes goes to the same place.
    ``connection_retries=0`` drops the retry on a dropped connection or a timeout (listeners: never wait twice).
    """
    retries = 2 if rate_limit_retries is None else rate_limit_retries
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=retries)]
    if connection_retries:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=connection_retries))
    return WebClient(
        token=token or (None if settings.oauth_mode else settings.slack_bot_token),
        base_url=settings.slack_api_url,
        timeout=timeout or WEB_API_TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )
