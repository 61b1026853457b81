"""gunicorn settings for cebot (``gunicorn --config python:cebot.gunicorn_conf cebot.wsgi:application``).

``cebot serve`` uses the same values. Why these:

* ``gthread`` workers: Slack wants every request acknowledged within 3 seconds. The
  app acks on the request's thread and the work runs after the response in the
  worker's listener work processes, so a request holds a server thread only for
  the ack (a few ms); threads let one
  worker ack many requests at once and a slow client cannot block a worker the
  way it blocks a ``sync`` worker, without the monkey-patching of gevent/eventlet.
* ``preload_app``: the app (and its ``auth.test`` token check) is built once in the
  master, so a wrong token or a missing setting stops the server at once; each
  worker then drops the database connections it inherited and starts its listener work
  processes (``post_fork``; see cebot/slack/work_processes.py), which finish their queue
  before the worker exits (``worker_exit``).

Environment: ``PORT`` (default 3000), ``WEB_CONCURRENCY`` workers (default 2),
``GUNICORN_THREADS`` per worker (default 8), ``LISTENER_PROCESSES`` per worker (default 1),
``LOG_LEVEL`` (default info).
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


def worker_exit(server: Any, worker: Any) -> None:
    """A worker's listener work processes finish what is queued before it exits."""
    from cebot.wsgi import before_exit

    before_exit()
