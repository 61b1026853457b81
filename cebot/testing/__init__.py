"""Test and local-run helpers shipped with the package (the fake Slack Web API)."""

from cebot.testing.fake_slack import Call, FakeSlack, FakeUser, ResponsePost, Upload, flatten_text

__all__ = ["Call", "FakeSlack", "FakeUser", "ResponsePost", "Upload", "flatten_text"]
