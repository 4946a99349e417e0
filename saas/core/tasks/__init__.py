"""Background work: the task queue (procrastinate, on PostgreSQL) and its tasks.

* `queue.enqueue(connection, [Job(...)])` puts jobs in the caller's transaction (web app);
* `registry.task("feature.name", cron=..., retry=..., secret_args=...)` declares a task;
  add its module to `register_tasks` in `saas/__init__.py` so every worker knows it;
* `shops.fan_out(...)` / `shops.run_as_shop(...)`: scheduled work done one job per shop;
* `worker`: `flask worker`, `start_in_background(app)` for `make run`, `run_worker(app)`.

A job names its shop in its arguments (`tenant_id`) and runs inside
`tenancy.tenant_scope(tenant_id)` (`shops.run_as_shop`); work across shops goes through
`tenancy.cross_tenant_scope(reason)`.
"""
