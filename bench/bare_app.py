"""The baseline for ``bench/answer_latency.py``: a bare Bolt app that only acks ``/ce``, served like cebot.

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... SLACK_API_URL=http://127.0.0.1:<fake>/api/ \\
      gunicorn --config python:cebot.web.gunicorn_conf --pythonpath bench bare_app:application

Same server and settings as cebot (gunicorn, ``cebot.web.gunicorn_conf``: gthread workers,
preloaded app), Bolt's own WSGI adapter, Bolt's defaults (``process_before_response=False``,
its listener executor), and one listener that calls ``ack()`` and nothing else: no database,
no reply. ``GET /healthz`` answers 200 so the bench can tell when it is up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


def create_bare_app() -> App:
    """A Bolt app whose only listener acks ``/ce``; its Web API client points at ``SLACK_API_URL``."""
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"],
                       base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"))
    app = App(name="bare", client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/ce")
    def only_ack(ack: Ack) -> None:
        ack()

    return app


def make_application(app: App) -> Any:
    handler = SlackRequestHandler(app)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")])
            return [b'{"ok":true}']
        return handler(environ, start_response)

    return application


application = make_application(create_bare_app())
