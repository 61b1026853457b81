"""gunicorn settings for cebot (``gunicorn --config python:cebot.web.gunicorn_conf cebot.web.wsgi:application``).

``cebot serve`` uses the same values. Why these:

* ``gthread`` workers: Slack wants every request answered within 3 seconds. A
  request does its work (a few milliseconds of SQL) and answers on its thread;
  threads let one worker serve many requests at once and a slow client cannot
  block a worker the way it blocks a ``sync`` worker, without the monkey-patching
  of gevent/eventlet. More load: more workers, more web machines over one PostgreSQL.
* ``preload_app``: the app (and its ``auth.test`` token check) is built once in the
  master, so a wrong token or a missing setting stops the server at once; each
  worker then drops the database connections it inherited (``post_fork``).
* ``logger_class``: gunicorn's logger, with every line (access and error) passed
  through cebot's redaction, so ``GET /slack/oauth_redirect?code=...&state=...``
  is logged as ``code=[redacted]&state=[redacted]`` (and any token-looking value).

Environment: ``PORT`` (default 3000), ``WEB_CONCURRENCY`` workers (default 2),
``GUNICORN_THREADS`` per worker (default 8), ``LOG_LEVEL`` (default info).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from gunicorn.glogging import Logger

from cebot.core.logs import redact

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"  # a web dyno must listen on every interface
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = "*"
# gunicorn 25.1+ opens a control socket for `gunicornc` at one path per user ($HOME/.gunicorn/gunicorn.ctl), so
# two gunicorns on one host take it from each other; cebot never uses it, and a read-only home cannot hold it.
control_socket_disable = True


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class RedactingLogger(Logger):
    """gunicorn's logger; its access and error lines go through :func:`cebot.core.logs.redact`."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, _Redact) for f in log.filters):
                log.addFilter(_Redact())


logger_class = RedactingLogger


def post_fork(server: Any, worker: Any) -> None:
    """A worker must not share the master's database connections."""
    from cebot.web.wsgi import after_fork

    after_fork()
