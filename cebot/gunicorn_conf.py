"""gunicorn settings for cebot (``gunicorn --config python:cebot.gunicorn_conf cebot.wsgi:application``).

``cebot serve`` uses the same values. Why these:

* ``gthread`` workers: Slack wants every request answered within 3 seconds. A
  request does its work (a few milliseconds of SQL) and answers on its thread;
  threads let one worker serve many requests at once and a slow client cannot
  block a worker the way it blocks a ``sync`` worker, without the monkey-patching
  of gevent/eventlet. More load: more workers, more web machines over one PostgreSQL.
* ``preload_app``: the app (and its ``auth.test`` token check) is built once in the
  master, so a wrong token or a missing setting stops the server at once; each
  worker then drops the database connections it inherited (``post_fork``).

Environment: ``PORT`` (default 3000), ``WEB_CONCURRENCY`` workers (default 2),
``GUNICORN_THREADS`` per worker (default 8), ``LOG_LEVEL`` (default info).
"""

from __future__ import annotations

import os
from typing import Any

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


def post_fork(server: Any, worker: Any) -> None:
    """A worker must not share the master's database connections."""
    from cebot.wsgi import after_fork

    after_fork()
