"""A fake Slack Web API on loopback that answers like Slack and records every call.

Used by the end-to-end tests, ``cebot shell`` and the benches::

    with FakeSlack() as fake:
        fake.add_user("U1", "maria", tz="America/New_York")
        settings = load_settings(slack_api_url=fake.url, ...)
        ...
        call = fake.wait_for("views.publish")
        assert call.args["user_id"] == "U1"

It serves ``/api/<method>`` (form, query or JSON bodies, as ``slack_sdk`` sends
them), ``/response/<id>`` for ``response_url`` posts (get one with
:meth:`FakeSlack.new_response_url`) and ``/upload/<file_id>`` for the file
upload URLs it hands out. Files people share (:meth:`FakeSlack.share_file`) are served at their
``url_private_download`` to a request with a bearer token, and answer 404 once deleted
(:meth:`FakeSlack.delete_file`). Nothing here touches the network beyond 127.0.0.1.

Like Slack, it checks every message and view it is sent (chat.*, views.*, response_url posts, files'
initial comments) against Slack's limits (:mod:`cebot.shell.slack_limits`): a payload Slack would refuse
is answered ``{"ok": false, "error": "invalid_blocks", ...}`` and kept in :attr:`FakeSlack.violations`, which
the tests' fixtures require to be empty at the end of each test.

This module holds the fake's state and what tests call; serving HTTP, the limits and injected failures are in
:mod:`cebot.shell.fake_server`, the answers to each method in :mod:`cebot.shell.fake_answers`, and what it
records in :mod:`cebot.shell.fake_records`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from cebot.shell.fake_records import Call, FakeUser, Rejected, ResponsePost, SharedFile, Upload
from cebot.shell.fake_server import Rule, SlackServer

DEFAULT_WAIT = 5.0


class FakeSlack(SlackServer):
    """A threaded fake of the Slack Web API on 127.0.0.1 (random port)."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_name: str = "Test Clinic",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        users: list[FakeUser] | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.users: dict[str, FakeUser] = {u.id: u for u in users or []}
        self._calls: list[Call] = []
        self._responses: list[ResponsePost] = []
        self.uploads: list[Upload] = []
        self._rules: dict[str, list[Rule]] = {}
        self._handlers: dict[str, Callable[[Call], dict[str, Any]]] = {}
        self._pending_files: dict[str, str] = {}
        self.shared_files: dict[str, SharedFile] = {}
        self.downloads: list[tuple[str, str | None]] = []
        """(file id, Authorization header) of every download request, served or not."""
        self._views: dict[str, dict[str, Any]] = {}
        self._dm_users: dict[str, str] = {}
        self._rejected: list[Rejected] = []
        self.oauth_codes: dict[str, tuple[str, str, str]] = {}
        """OAuth codes (:meth:`add_install`) -> (team id, team name, installer)."""
        self.tokens: dict[str, str] = {}
        """Bot tokens the fake issued -> their team (``auth.test`` answers with that team)."""
        self.refresh_tokens: dict[str, str] = {}
        self.socket_mode_url: str | None = None
        """The ``ws://`` URL ``apps.connections.open`` hands out (each with a new ``ticket``); unset: it fails."""
        self.token_expires_in: int | None = None
        """Seconds a new bot token lasts: set it to turn token rotation on (refresh tokens, ``expires_in``)."""
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._server = self._serve()
        # stop() waits for the loop's next look at its shutdown flag: every 5 ms (a test ends with a stop)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), name="fake-slack",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (the server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL for ``SLACK_API_URL``: ``http://127.0.0.1:<port>/api/``."""
        return self.base_url + "/api/"

    # -- configuration ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str = "",
        display_name: str = "",
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> FakeUser:
        """Make ``users.info`` know ``user_id`` (replacing an earlier definition)."""
        user = FakeUser(
            id=user_id, name=name or user_id.lower(), real_name=real_name, display_name=display_name, tz=tz,
            is_admin=is_admin, is_owner=is_owner, is_bot=is_bot, team_id=team_id or self.team_id,
        )
        with self._cond:
            self.users[user_id] = user
        return user

    def respond_with(self, method: str, answer: dict[str, Any] | Callable[[Call], dict[str, Any]]) -> None:
        """Answer ``method`` with a fixed payload or ``answer(call)`` from now on."""
        if callable(answer):
            handler = answer
        else:
            fixed = dict(answer)

            def handler(_call: Call) -> dict[str, Any]:
                return dict(fixed)

        with self._cond:
            self._handlers[method] = handler

    def reset(self) -> None:
        """Forget recorded calls, response posts and uploads (users and rules stay)."""
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self.uploads.clear()

    def new_response_url(self) -> str:
        """A fresh ``response_url`` on this server; posts to it are recorded as :class:`ResponsePost`."""
        return f"{self.base_url}/response/R{next(self._ids):06d}"

    # -- queries ---------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded Web API calls, oldest first, optionally only of ``method``."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        if not found:
            raise AssertionError(f"no {method} call; calls were: {[c.method for c in self.calls()]}")
        return found[-1]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = DEFAULT_WAIT,
        where: Callable[[Call], bool] | None = None,
    ) -> Call:
        """Block until ``count`` calls of ``method`` (matching ``where``) are recorded; return the ``count``-th."""
        def matching() -> list[Call]:
            return [c for c in self._calls if c.method == method and (where is None or where(c))]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(f"timed out waiting for {count} {method} call(s); calls were: {seen}"
                                     + self._refused())
            return matching()[count - 1]

    def responses(self, url: str | None = None) -> list[ResponsePost]:
        """Recorded ``response_url`` posts, oldest first, optionally only those to ``url``."""
        with self._cond:
            return [r for r in self._responses if url is None or r.url == url]

    def wait_for_response(
        self, url: str | None = None, *, count: int = 1, timeout: float = DEFAULT_WAIT
    ) -> ResponsePost:
        """Block until ``count`` posts to ``url`` (any response URL if None) arrive; return the ``count``-th."""
        def matching() -> list[ResponsePost]:
            return [r for r in self._responses if url is None or r.url == url]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                raise AssertionError(f"timed out waiting for a post to {url or 'any response_url'}"
                                     + self._refused())
            return matching()[count - 1]
