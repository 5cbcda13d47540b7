"""Jobs: the durable job table, the worker that runs jobs, and the Celery adapter."""
