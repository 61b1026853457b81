"""HTTP serving: the WSGI app gunicorn runs and its configuration."""
