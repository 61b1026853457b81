"""The clock process: reminders and weekly summaries, exactly once via the delivery table (docs/clock.md)."""
