"""The Slack layer: the Bolt app, thin listeners, Block Kit builders and mrkdwn helpers."""
