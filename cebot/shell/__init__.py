"""``cebot shell``: the real app in a terminal, with a fake Slack Web API on loopback."""
