"""Background work: the task queue (procrastinate, on PostgreSQL) and its tasks."""
