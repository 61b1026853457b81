"""Small follow-ups a listener starts after its answer (a confirmation message), off the request's thread.

Listeners run before Bolt sends the HTTP response (the app uses ``process_before_response=True``). Anything
they do that Slack's answer does not need and that may fail without harm, such as a confirmation message that may
take seconds when Slack is slow, goes here so the response is not held up.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)



class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """Runs each task in a copy of the submitter's context, so follow-ups keep the request id (and team) that the
    WSGI layer put in :mod:`cebot.core.logs`'s context variables."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


BACKGROUND_THREADS = 4
_executor = ContextThreadPoolExecutor(max_workers=BACKGROUND_THREADS, thread_name_prefix="cebot-after")


def _run(job: Callable[[], object]) -> None:
    try:
        job()
    except Exception:
        logger.exception("a follow-up after a Slack answer failed")


def in_background(job: Callable[[], object]) -> None:
    """Run ``job`` soon on a background thread (errors are logged)."""
    _executor.submit(_run, job)

