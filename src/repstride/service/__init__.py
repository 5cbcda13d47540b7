"""Service layer: settings, database, blob store, job queue, auth, credits, videos, worker.

Ports (embedded default -> scale-out adapter): :class:`~repstride.service.blobs.local.BlobStore`
(``LocalBlobStore``), :class:`~repstride.service.jobs.store.JobQueue` (``LocalJobQueue``); the
database is SQLite (WAL) or PostgreSQL through the same SQLAlchemy code.
"""

from repstride.service.container import Services, build_services
from repstride.service.settings import Settings, load_settings

__all__ = ["Services", "Settings", "build_services", "load_settings"]
