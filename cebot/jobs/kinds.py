"""Every job kind a worker can run: one import per feature module, here and nowhere else.

Each imported module registers its handlers with :func:`cebot.jobs.registry.job_handler`;
:func:`cebot.jobs.worker.run_due_jobs` calls :func:`load` first, so a worker knows every kind whatever else
its process imported. A new kind: a ``@job_handler`` in its feature module, and that module imported here.
"""

from __future__ import annotations


def load() -> None:
    """Register every job handler (cheap after the first call: the modules are imported once)."""
    from cebot.jobs import (
        certificate_jobs,  # noqa: F401  certificate.fetch, certificate.tell, certificate.audit
        exports,  # noqa: F401  export.transcript, export.team, mydata.export
        summary_chart,  # noqa: F401  summary.chart
        team_nudges,  # noqa: F401  team_nudge
    )
