"""How support access plugs into the shop's pages: its session identity, the layout's banner while a
visit lasts, the way to the owner's support log on the settings page, and logging out as ending the visit."""

from __future__ import annotations

from flask_login import user_logged_out

from saas.auth.sessions import Identity, register_identity
from saas.core.panels import Panel
from saas.core.signals import layout_banners
from saas.platform import support
from saas.settings import signals as settings_signals

# Good on a shop's host only, and only on the shop it names (the loader checks): see saas.auth.sessions.
register_identity(support.IDENTITY_KIND, Identity("shop", 3, support.load_visitor, "auth.login"))


@layout_banners.connect
def _support_banner(tenant, **details) -> Panel | None:
    visit = support.current_visit()
    if visit is None:
        return None
    return Panel("platform/_support_banner.html", {"support_visit": visit}, order=0)


@settings_signals.page_panels.connect
def _support_settings_link(shop, user, **details) -> Panel | None:
    if not user.can("support.manage"):
        return None
    return Panel("platform/_support_settings.html", {"shop": shop}, order=40)


@user_logged_out.connect
def _logging_out_ends_the_visit(sender, user=None, **details) -> None:
    # "Log out" in the shop's menu during a visit ends it, as the banner's button does.
    visit = support.current_visit()
    if visit is not None:
        support.end_visit(visit.visit_id)
