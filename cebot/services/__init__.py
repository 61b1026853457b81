"""Services: the only layer that touches the database.

Every function is keyword-only and takes the caller's ``session``; the caller
owns the transaction (``cebot.core.db.session_scope``). Services flush, never
commit, and scope every query by the member's or workspace's id.
"""
