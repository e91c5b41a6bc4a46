"""Send the reads of the reporting apps to a PostgreSQL replica when one is configured (DATABASE_REPLICA_URL).

Everything else, and every write, goes to the primary: the replica lags behind it by a moment, which
statistics and reports tolerate and a counsellor's form that reads back its own write would not.
"""

from __future__ import annotations

from django.db import connections

REPLICA = "replica"
# App labels whose models are read from the replica. Their writes (statistics refreshes) stay on the primary.
REPLICA_APPS = frozenset({"stats", "reports"})


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reporting_db() -> str:
    """The alias to read report data from: `Encounter.objects.using(reporting_db())` in report code."""
    return REPLICA if replica_configured() else "default"


class ReplicaRouter:
    """Reads of models in REPLICA_APPS go to the replica; the primary ("default") answers everything else."""

    apps = REPLICA_APPS

    def db_for_read(self, model, **hints) -> str | None:
        if model._meta.app_label in self.apps and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as the primary, so objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        # The replica gets its schema through replication; migrations run on the primary only.
        return db != REPLICA
