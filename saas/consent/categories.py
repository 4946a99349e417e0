"""The cookie categories and the cookies in each: one definition for the banner, the server's checks,
the removal of withdrawn cookies and the cookie policy page.

A cookie is named exactly, or by a prefix when its name ends with `*` (`_ga_*` covers `_ga_ABC123`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

# The version of the cookie policy in force. Bump it when the categories or their cookies change:
# every visitor is asked again (the setting COOKIE_POLICY_VERSION overrides it).
POLICY_VERSION = "2026-12-02"

CONSENT_COOKIE = "workbay_consent"

GPC_NOTICE = (
    "Your browser asked us not to share or sell your data (Global Privacy Control); analytics and marketing stay off."
)


@dataclass(frozen=True)
class CookieSpec:
    """One cookie (or a family of cookies, by prefix) and what it is for."""

    name: str
    provider: str
    purpose: str
    lifetime: str

    def matches(self, cookie_name: str) -> bool:
        """True when `cookie_name` is this cookie, or one of its family."""
        if self.name.endswith("*"):
            return cookie_name.startswith(self.name[:-1])
        return cookie_name == self.name


@dataclass(frozen=True)
class Category:
    """A purpose a visitor can allow or refuse (except `necessary`, which is always on)."""

    key: str
    title: str
    description: str
    cookies: tuple[CookieSpec, ...] = ()
    required: bool = False
    # Off whatever the visitor chose when the browser sends Global Privacy Control (Sec-GPC: 1).
    gpc_blocked: bool = False

    def covers(self, cookie_name: str) -> bool:
        """True when `cookie_name` belongs to this category."""
        return any(spec.matches(cookie_name) for spec in self.cookies)


PREFERENCES = Category(
    "preferences",
    "Preferences",
    "Remember choices that make the site nicer to use, such as a layout or a language. "
    "We set none today; if we add one, it will be listed here and set only if you allow it.",
)
ANALYTICS = Category(
    "analytics",
    "Analytics",
    "Count visits and see which pages are used, so the site can be improved. "
    "Analytics scripts are only sent to your browser if you allow them.",
    cookies=(
        CookieSpec("_ga", "Google Analytics", "Tells visits of the same browser apart", "2 years"),
        CookieSpec("_ga_*", "Google Analytics", "Keeps the state of a visit", "2 years"),
        CookieSpec("_gid", "Google Analytics", "Tells visits of the same browser apart for a day", "24 hours"),
        CookieSpec("_pk_*", "Matomo", "Tells visits apart and keeps the state of a visit", "up to 13 months"),
        CookieSpec("plausible_*", "Plausible Analytics", "Excludes a browser from the statistics", "until removed"),
    ),
    gpc_blocked=True,
)
MARKETING = Category(
    "marketing",
    "Marketing",
    "Measure advertising and show ads elsewhere on the web. We use no marketing cookies today; "
    "should one ever be set, it is removed as soon as you refuse or withdraw.",
    cookies=(
        CookieSpec("_gcl_*", "Google Ads", "Links a visit to an ad that was clicked", "90 days"),
        CookieSpec("_fbp", "Meta", "Tells visits of the same browser apart for ads", "90 days"),
        CookieSpec("_fbc", "Meta", "Links a visit to an ad that was clicked", "90 days"),
    ),
    gpc_blocked=True,
)
OPTIONAL_CATEGORIES = (PREFERENCES, ANALYTICS, MARKETING)
OPTIONAL_KEYS = frozenset(category.key for category in OPTIONAL_CATEGORIES)
GPC_BLOCKED_KEYS = frozenset(category.key for category in OPTIONAL_CATEGORIES if category.gpc_blocked)


def _days(seconds: float) -> str:
    days = round(seconds / 86400)
    return f"{days} day{'' if days == 1 else 's'}"


def necessary() -> Category:
    """The cookies the site cannot work without, named and timed as this app is configured."""
    config = current_app.config
    session_hours = round(config["PERMANENT_SESSION_LIFETIME"].total_seconds() / 3600)
    return Category(
        "necessary",
        "Necessary",
        "Keep the site working and secure: signing in, protecting forms against forgery, "
        "and remembering the choice you make here. They are always on.",
        cookies=(
            CookieSpec(
                config["SESSION_COOKIE_NAME"],
                "this site",
                "Keeps you signed in and protects forms against forgery (CSRF)",
                f"until the browser closes, or {session_hours} hours when signed in",
            ),
            CookieSpec(
                config["REMEMBER_COOKIE_NAME"],
                "this site",
                "Keeps staff signed in when they ask to be remembered",
                _days(config["REMEMBER_COOKIE_DURATION"].total_seconds()),
            ),
            CookieSpec(
                CONSENT_COOKIE,
                "this site",
                "Remembers your cookie choices on this address only",
                _days(consent_max_age_seconds()),
            ),
        ),
        required=True,
    )


def all_categories() -> tuple[Category, ...]:
    """Every category, necessary first, as the banner and the cookie policy show them."""
    return (necessary(), *OPTIONAL_CATEGORIES)


def category_of(cookie_name: str) -> Category | None:
    """The optional category a cookie belongs to (None for necessary or unknown cookies)."""
    return next((category for category in OPTIONAL_CATEGORIES if category.covers(cookie_name)), None)


def consent_max_age_seconds() -> int:
    """How long a consent holds before the visitor is asked again (CONSENT_MAX_AGE_DAYS)."""
    return int(current_app.config["CONSENT_MAX_AGE_DAYS"]) * 86400


def base_policy_version() -> str:
    """The cookie policy version in force (the setting, else the code's)."""
    return current_app.config.get("COOKIE_POLICY_VERSION") or POLICY_VERSION


def describe(granted) -> str:
    """A choice in words: "Necessary only", "All categories", "Preferences, analytics"."""
    keys = [category.key for category in OPTIONAL_CATEGORIES if category.key in set(granted)]
    if not keys:
        return "Necessary only"
    if len(keys) == len(OPTIONAL_CATEGORIES):
        return "All categories"
    return ", ".join(keys).capitalize()
