"""Core plumbing every layer uses: settings, the database, logging."""
