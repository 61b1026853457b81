"""cebot: continuing-education tracking for massage therapists, in Slack."""

__version__ = "0.1.0"
