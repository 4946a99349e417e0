"""Benchmark: latency and query count of a shop's busiest pages on seeded data of realistic size.

    make bench                      # or: .venv/bin/python bench/pages.py --shops 20 --customers 2000

Starts a throw-away embedded PostgreSQL, migrates it, seeds many shops (so we also see that
one shop's pages do not slow down with the number of other shops), serves the app over real
HTTP on 127.0.0.1 (threaded werkzeug server), logs in as the owner of one shop and requests
each page repeatedly. Prints median / p95 latency and SQL statements per request.
No assertions: the numbers are for people to read and compare between commits.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    "/",
    "/customers",
    "/customers?q=an",
    "/customers?page=5",
    "/work-orders",
    "/work-orders/board",
    "/invoices",
    "/appointments",
]


def seed(app, shops: int, customers: int) -> None:
    """Many shops, one of them ("bench") with `customers` customers; the others a tenth of that."""
    from saas.demo import seed_bench_shops

    with app.app_context():
        seed_bench_shops(shops, customers)


def serve(app, port: int):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class ShopBrowser:
    """Talks to 127.0.0.1 with the shop's Host header (Python cannot resolve *.localhost) and keeps cookies."""

    def __init__(self, port: int, host: str):
        self.base = f"http://127.0.0.1:{port}"
        self.host = host
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, data: dict | None = None):
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Host": self.host})
        return self.opener.open(request)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--customers", type=int, default=1000, help="customers (and work orders) of the measured shop")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--port", type=int, default=5099)
    options = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import event

    from saas import create_app
    from saas.core.embedded_db import ensure_database, start_server
    from saas.core.extensions import db

    data_dir = Path(tempfile.mkdtemp(prefix="workbay-bench-")) / "pg"
    server = start_server(data_dir, cleanup_mode="delete")
    urls = ensure_database(server.get_uri("postgres"), "workbay_bench")
    settings = {
        "ENV_NAME": "testing",
        "SERVER_NAME": f"localhost:{options.port}",
        "TRUSTED_HOSTS": ["localhost", ".localhost"],
        "MAIL_OUTBOX_DIR": str(data_dir.parent / "outbox"),
    }
    migrator = create_app({**settings, "SQLALCHEMY_DATABASE_URI": urls.owner, "MIGRATIONS_DATABASE_URL": urls.owner})
    with migrator.app_context():
        upgrade()
        db.engine.dispose()
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": urls.app})

    started = time.perf_counter()
    seed(app, options.shops, options.customers)
    print(
        f"seeded {options.shops} shops ({options.customers} customers in the measured one) "
        f"in {time.perf_counter() - started:.1f}s"
    )

    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    http = serve(app, options.port)
    browser = ShopBrowser(options.port, f"bench.localhost:{options.port}")
    browser.open("/login", {"email": "owner@bench.example.com", "password": "bench-password"}).read()

    print(f"{'page':<24} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  status")
    for page in PAGES:
        timings, status = [], None
        for _ in range(options.requests):
            statements.clear()
            begin = time.perf_counter()
            try:
                response = browser.open(page)
                response.read()
                status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            timings.append((time.perf_counter() - begin) * 1000)
        p95 = statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)
        print(f"{page:<24} {statistics.median(timings):>10.1f} {p95:>8.1f} {len(statements):>8}  {status}")
    http.shutdown()
    with app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
