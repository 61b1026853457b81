"""Errors services raise, each carrying a short, friendly ``message`` for the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refused; ``message`` says what is wrong and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The thing asked for does not exist for this member (others' rows look exactly the same)."""

    @classmethod
    def entry(cls, entry_id: int) -> NotFound:
        return cls(f"I couldn't find entry #{entry_id} in your log. Try /ce list to see your entries.")


class InvalidRequest(ServiceError):
    """The request is well formed but its values are impossible or unknown."""


class NothingToUndo(InvalidRequest):
    """``/ce undo`` with no change left to reverse."""


class Forbidden(ServiceError):
    """Only a clinic manager (or a Slack admin/owner) may do this."""
