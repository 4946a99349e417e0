"""Workbay: the application factory. It only wires things together."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from config import load_config


def create_app(config: str | dict | None = None) -> Flask:
    """Build the app. `config` is an environment name or a dict of settings to override."""
    app = Flask(__name__, subdomain_matching=True, instance_relative_config=True)
    overrides = config if isinstance(config, dict) else {}
    app.config.from_mapping(load_config(overrides.get("ENV_NAME") or (config if isinstance(config, str) else None)))
    app.config.from_mapping(overrides)
    register_logging(app)
    register_proxy(app)
    register_extensions(app)
    register_request_layer(app)
    register_blueprints(app)
    register_listeners()
    register_tasks()
    register_template_helpers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    """Log to stderr at INFO so the embedded default shows mail and requests."""
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_proxy(app: Flask) -> None:
    """Behind N trusted proxies, take the client's address and scheme from X-Forwarded-* (for access logs)."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons to this app."""
    import saas.models  # noqa: F401  (every table in the metadata)
    from saas.auth.sessions import configure_login
    from saas.core.database_roles import configure_engines
    from saas.core.extensions import csrf, db, limiter, migrate

    configure_engines(app)  # the web role's engine and the platform role's
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=False)
    csrf.init_app(app)
    limiter.init_app(app)
    configure_login(app)


def register_request_layer(app: Flask) -> None:
    """One way through every request: database role, site and tenant from the Host, one commit or rollback,
    error pages."""
    from flask import request_started

    from saas.core import errors, requests, security_headers, tenancy

    security_headers.register(app)  # first registered, so its after_request runs after the others
    app.url_map.converters["int"] = tenancy.IdConverter
    request_started.connect(tenancy.choose_request_role, app)  # before any before_request hook
    app.before_request(tenancy.resolve_request_site)
    app.url_value_preprocessor(lambda endpoint, values: values.pop("shop", None) if values else None)
    app.url_defaults(tenancy.fill_shop_url_value)
    errors.register(app)
    requests.register(app)


def register_blueprints(app: Flask) -> None:
    """Mount each feature on the site it belongs to."""
    import saas.workorders.canned_views  # noqa: F401  (canned jobs, on the work orders blueprint)
    from saas.appointments.booking_views import bp as booking_bp
    from saas.appointments.views import bp as appointments_bp
    from saas.audit.views import bp as audit_bp
    from saas.auth.views import bp as auth_bp
    from saas.billing.views import bp as billing_bp
    from saas.billing.views import public_bp as billing_public_bp
    from saas.consent.views import admin_bp as consent_admin_bp
    from saas.consent.views import bp as consent_bp
    from saas.core.health import bp as health_bp
    from saas.core.outbox import bp as outbox_bp
    from saas.customers.views import bp as customers_bp
    from saas.documents.views import bp as documents_bp
    from saas.inspections.views import bp as inspections_bp
    from saas.inspections.views import public_bp as inspection_public_bp
    from saas.invoicing.views import bp as invoicing_bp
    from saas.onboarding.views import bp as onboarding_bp
    from saas.platform.routes import bp as platform_bp
    from saas.platform.support_shop_views import bp as platform_support_bp
    from saas.privacy.center_views import bp as privacy_center_bp
    from saas.privacy.export_views import bp as privacy_exports_bp
    from saas.privacy.queue_views import bp as privacy_requests_bp
    from saas.privacy.retention_views import bp as privacy_retention_bp
    from saas.privacy.shop_policy_views import bp as shop_policy_bp
    from saas.privacy.shop_privacy_views import bp as shop_privacy_bp
    from saas.privacy.views import bp as privacy_bp
    from saas.settings.views import bp as settings_bp
    from saas.shop.views import bp as shop_bp
    from saas.shopdata.views import bp as shopdata_bp
    from saas.workorders.approval_views import bp as estimates_bp
    from saas.workorders.approval_views import public_bp as estimate_public_bp
    from saas.workorders.views import bp as workorders_bp

    # Static files answer on every host, so pages never load assets cross-origin.
    app.add_url_rule(
        f"{app.static_url_path}/<path:filename>",
        endpoint="shop_static",
        subdomain="<shop>",
        view_func=app.send_static_file,
    )
    app.register_blueprint(health_bp)
    app.register_blueprint(onboarding_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(billing_public_bp)
    # Cookie consent answers on the public site and, as its own, on every shop's subdomain.
    app.register_blueprint(consent_bp)
    app.register_blueprint(consent_bp, subdomain="<shop>", name="consent_shop")
    app.register_blueprint(outbox_bp)
    app.register_blueprint(platform_bp, subdomain="admin")
    app.register_blueprint(auth_bp, subdomain="<shop>")
    app.register_blueprint(shop_bp, subdomain="<shop>")
    for shop_blueprint in (
        customers_bp,
        workorders_bp,
        invoicing_bp,
        appointments_bp,
        booking_bp,
        settings_bp,
        audit_bp,
        estimates_bp,
        estimate_public_bp,
        billing_bp,
        documents_bp,
        inspections_bp,
        inspection_public_bp,
        privacy_exports_bp,
        privacy_retention_bp,
        consent_admin_bp,
        privacy_center_bp,
        privacy_requests_bp,
        shop_policy_bp,
        shop_privacy_bp,
        shopdata_bp,
        platform_support_bp,
    ):
        app.register_blueprint(shop_blueprint, subdomain="<shop>")


def register_listeners() -> None:
    """Features that react to what happens in a feature below them (blinker signals, saas/*/signals.py)."""
    import saas.appointments.listeners
    import saas.audit.listeners  # refused staff logins go on the access log
    import saas.billing.listeners
    import saas.consent.listeners
    import saas.customers.listeners
    import saas.documents.listeners
    import saas.inspections.listeners
    import saas.invoicing.immutability  # issued invoices, lines and payments never change (before_flush)
    import saas.invoicing.listeners
    import saas.platform.listeners
    import saas.platform.support_listeners
    import saas.privacy.listeners
    import saas.privacy.record_listeners
    import saas.privacy.request_answers  # an access request's export is built: its link is mailed
    import saas.privacy.request_listeners
    import saas.shopdata.listeners
    import saas.workorders.listeners  # noqa: F401


def register_tasks() -> None:
    """The modules that declare background tasks, so every worker knows them all."""
    import saas.appointments.tasks
    import saas.auth.tasks
    import saas.billing.tasks
    import saas.consent.tasks
    import saas.core.mail
    import saas.core.tasks.housekeeping
    import saas.platform.tasks
    import saas.privacy.announcements
    import saas.privacy.export_tasks
    import saas.privacy.retention_tasks
    import saas.privacy.tasks
    import saas.shopdata.tasks  # noqa: F401


def register_template_helpers(app: Flask) -> None:
    """Globals the layout needs on every page (the cookie banner's too)."""
    from saas.consent.layout import register as register_consent
    from saas.core.templating import register

    register(app)
    register_consent(app)


def register_commands(app: Flask) -> None:
    """`flask tenants ...`, `flask users ...`, `flask demo ...`."""
    from saas.billing.commands import billing_cli
    from saas.core.keys import keys_cli
    from saas.core.tasks.worker import worker_command
    from saas.demo import demo_cli
    from saas.onboarding.commands import tenants_cli
    from saas.platform.commands import users_cli
    from saas.privacy.commands import privacy_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(billing_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(keys_cli)
