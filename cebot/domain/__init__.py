"""Pure domain code: no Slack, no database. Plain data in, plain data out."""
