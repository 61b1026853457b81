"""Block Kit renderers, one module per feature (builders in cebot.slack.blocks)."""
