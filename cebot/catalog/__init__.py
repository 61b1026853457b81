"""Shipped requirement sets: one TOML file per set in ``data/`` (``FL.toml``, ``NCBTMB.toml``, ...).

Load them with :func:`cebot.domain.catalog.load_catalog`; the schema is in
``docs/requirement-sets.md``.
"""
