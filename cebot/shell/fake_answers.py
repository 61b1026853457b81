"""The fake Slack's answers to Web API methods, shaped like Slack's (users, chat, conversations, views, files,
OAuth). A base class of :class:`cebot.shell.fake_slack.FakeSlack`, which owns the state these read and write."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from cebot.shell.fake_records import Call, FakeUser, Rejected, SharedFile, Upload
from cebot.shell.slack_limits import Violation


class SlackAnswers:
    """One ``_m_<method>`` per Web API method the fake answers (``chat.postMessage`` -> ``_m_chat_postMessage``)."""

    # The state, set up by FakeSlack.__init__.
    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    users: dict[str, FakeUser]
    shared_files: dict[str, SharedFile]
    uploads: list[Upload]
    oauth_codes: dict[str, tuple[str, str, str]]
    tokens: dict[str, str]
    refresh_tokens: dict[str, str]
    socket_mode_url: str | None
    token_expires_in: int | None
    _pending_files: dict[str, str]
    _views: dict[str, dict[str, Any]]
    _dm_users: dict[str, str]
    _rejected: list[Rejected]
    _cond: threading.Condition
    _ids: itertools.count[int]
    _ts: itertools.count[int]

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def _new_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _answer(self, call: Call) -> dict[str, Any]:
        a = call.args
        if call.method == "auth.test":
            return self._m_auth_test({**a, "token": call.token})
        if call.method == "apps.connections.open":  # answered by token kind, like auth.test
            return self._m_apps_connections_open({**a, "token": call.token})
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(a)
        return result

    def _m_api_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": a}

    def _m_auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        team_id = self.tokens.get(str(a.get("token") or "")) or self.team_id
        return {
            "ok": True, "url": "https://fake.slack.test/", "team": self.team_name, "user": "cebot",
            "team_id": team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id, "is_enterprise_install": False,
        }

    def _m_team_info(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": {"id": self.team_id, "name": self.team_name, "domain": "fake"}}

    def _m_users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            user = self.users.get(str(a.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.to_slack()}

    def _m_users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            members = [u.to_slack() for u in self.users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _message(self, a: dict[str, Any], ts: str) -> dict[str, Any]:
        return {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "text": a.get("text", ""),
                "blocks": a.get("blocks") or [], "ts": ts}

    def _m_chat_postMessage(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if str(a["channel"])[:1] in ("U", "W"):
            # Like Slack for a bot with no open DM with that person. Recorded too, so a test fails even where the
            # app only logs the error: every DM opens with conversations.open first (cebot.slack.dm).
            with self._cond:
                self._rejected.append(Rejected(where="chat.postMessage", violations=[Violation(
                    where="/channel", rule="a user id is not a channel: open the DM with conversations.open first",
                    found=str(a["channel"]), doc="https://docs.slack.dev/reference/methods/conversations.open")]))
            return {"ok": False, "error": "channel_not_found"}
        if not a.get("text") and not a.get("blocks") and not a.get("attachments"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        return {"ok": True, "channel": a["channel"], "ts": ts, "message": self._message(a, ts)}

    def _m_chat_postEphemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel") or not a.get("user"):
            return {"ok": False, "error": "channel_not_found" if not a.get("channel") else "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _m_chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel") or not a.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": a["channel"], "ts": a["ts"], "text": a.get("text", ""),
                "message": self._message(a, str(a["ts"]))}

    def _m_chat_delete(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": a.get("channel"), "ts": a.get("ts")}

    def _m_conversations_open(self, a: dict[str, Any]) -> dict[str, Any]:
        users = str(a.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        user_id = users.split(",")[0].strip()
        with self._cond:
            self._dm_users[self.dm_id(user_id)] = user_id
        return {"ok": True, "channel": {"id": self.dm_id(user_id), "is_im": True}}

    def dm_user(self, channel: str) -> str:
        """The person whose DM ``channel`` is (one ``conversations.open`` gave out), else ``channel`` itself."""
        with self._cond:
            return self._dm_users.get(channel, channel)

    @staticmethod
    def dm_id(user_id: str) -> str:
        """The id of ``user_id``'s DM with the app, as ``conversations.open`` answers it (``U1`` -> ``D1``)."""
        return "D" + user_id.lstrip("UW")[:20]

    def _m_apps_connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if not str(a.get("token") or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if not self.socket_mode_url:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": f"{self.socket_mode_url}?ticket=t{next(self._ids)}&app_id=A0FAKE"}

    def _store_view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise ValueError("view")
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": self.team_id, "hash": f"h{next(self._ids)}",
                  "state": {"values": {}}, "app_id": "A0FAKE", "bot_id": self.bot_id}
        with self._cond:
            self._views[view_id] = stored
        return stored

    def _m_views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(a.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(a["view"])}

    def _m_views_push(self, a: dict[str, Any]) -> dict[str, Any]:
        return self._m_views_open(a)

    def _m_views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(a.get("view"), dict) or not (a.get("view_id") or a.get("external_id")):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(a.get("view_id") or a.get("external_id"))
        with self._cond:
            known = view_id in self._views or bool(a.get("external_id"))
        if not known:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._store_view(a["view"], view_id)}

    def _m_views_publish(self, a: dict[str, Any]) -> dict[str, Any]:
        view = a.get("view")
        if not a.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(view)}

    def _upload(self, file_id: str, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._cond:
            filename = self._pending_files.get(file_id)
            if filename is None:
                return 404, {"ok": False, "error": "file_not_found"}, {}
            self.uploads.append(Upload(file_id=file_id, filename=filename, data=body))
            self._cond.notify_all()
        return 200, {"ok": True}, {}

    def share_file(self, user_id: str, name: str, data: bytes, mimetype: str = "application/pdf") -> dict[str, Any]:
        """Record a file ``user_id`` shared (e.g. in the app's DM); returns it as ``files.info`` shows it."""
        file_id = f"F{next(self._ids):08d}"
        with self._cond:
            self.shared_files[file_id] = SharedFile(file_id, user_id, name, data, mimetype)
        return self._file(file_id)

    def delete_file(self, file_id: str) -> None:
        """The owner deleted the file (or Slack did): ``files.info`` and its download answer not found."""
        with self._cond:
            self.shared_files[file_id].deleted = True

    def _m_files_getUploadURLExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("filename") or not a.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        with self._cond:
            self._pending_files[file_id] = str(a["filename"])
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _file(self, file_id: str, title: str | None = None) -> dict[str, Any]:
        with self._cond:
            name = self._pending_files.get(file_id, file_id)
            shared = self.shared_files.get(file_id)
        info: dict[str, Any] = {"id": file_id, "name": name, "title": title or name,
                                "permalink": f"https://fake.slack.test/files/{file_id}",
                                "url_private": f"{self.base_url}/files/{file_id}",
                                "url_private_download": f"{self.base_url}/files/{file_id}/download"}
        if shared is not None:
            info.update(name=shared.name, title=title or shared.name, user=shared.user, mimetype=shared.mimetype,
                        size=len(shared.data))
        else:
            info["user"] = self.bot_user_id
        return info

    def _m_files_completeUploadExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        files = a.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        with self._cond:
            unknown = [f.get("id") for f in files if f.get("id") not in self._pending_files]
        if unknown:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [self._file(str(f["id"]), f.get("title")) for f in files]}

    def _m_files_info(self, a: dict[str, Any]) -> dict[str, Any]:
        file_id = str(a.get("file") or "")
        with self._cond:
            shared = self.shared_files.get(file_id)
            known = file_id in self._pending_files or (shared is not None and not shared.deleted)
        return {"ok": True, "file": self._file(file_id)} if known else {"ok": False, "error": "file_not_found"}

    def add_install(self, code: str, team_id: str, team_name: str = "", *, installer: str = "U1") -> None:
        """Make ``oauth.v2.access`` with ``code`` install the app in ``team_id`` (a fresh bot token each time)."""
        with self._cond:
            self.oauth_codes[code] = (team_id, team_name or team_id, installer)

    def team_of_token(self, token: str | None) -> str | None:
        """The team a token the fake issued belongs to (None for tokens it did not issue)."""
        with self._cond:
            return self.tokens.get(token or "")

    def _m_oauth_v2_access(self, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("grant_type") == "refresh_token":
            return self._refresh(str(a.get("refresh_token") or ""))
        code = str(a.get("code") or "")
        if not code:
            return {"ok": False, "error": "invalid_code"}
        with self._cond:
            known = self.oauth_codes.pop(code, None)
        if known is None:
            return {"ok": True, "access_token": "xoxb-fake-installed", "token_type": "bot",
                    "scope": "commands,chat:write", "bot_user_id": self.bot_user_id, "app_id": "A0FAKE",
                    "team": {"id": self.team_id, "name": self.team_name}, "enterprise": None,
                    "authed_user": {"id": "U1"}, "is_enterprise_install": False}
        team_id, team_name, installer = known
        answer = {"ok": True, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": self.bot_user_id,
                  "app_id": "A0FAKE", "team": {"id": team_id, "name": team_name}, "enterprise": None,
                  "authed_user": {"id": installer}, "is_enterprise_install": False}
        answer.update(self._issue(team_id))
        return answer

    def _issue(self, team_id: str) -> dict[str, Any]:
        """A new bot token for ``team_id`` (with a refresh token and ``expires_in`` when rotation is on)."""
        n = next(self._ids)
        rotating = self.token_expires_in is not None
        token = f"xoxe.xoxb-{team_id}-{n}" if rotating else f"xoxb-{team_id}-{n}"
        issued: dict[str, Any] = {"access_token": token}
        with self._cond:
            self.tokens[token] = team_id
            if rotating:
                refresh = f"xoxe-1-{team_id}-{n}"
                self.refresh_tokens[refresh] = team_id
                issued.update(refresh_token=refresh, expires_in=self.token_expires_in)
        return issued

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        with self._cond:
            team_id = self.refresh_tokens.pop(refresh_token, None)  # a refresh token works once
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        return {"ok": True, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": self.bot_user_id,
                "app_id": "A0FAKE", "team": {"id": team_id}, "enterprise": None, **self._issue(team_id)}
