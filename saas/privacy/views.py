"""Our terms of service, privacy policy and cookie policy on the public site, with every earlier version."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from saas.privacy.policies import COOKIES, DOCUMENTS, PRIVACY, TERMS, PolicyDocument, PolicyVersion

bp = Blueprint("privacy", __name__, template_folder="templates")


def _page(document: PolicyDocument, version: PolicyVersion):
    return render_template(version.template, document=document, version=version)


@bp.route("/terms")
def terms():
    """Our terms of service, current version."""
    return _page(TERMS, TERMS.current)


@bp.route("/privacy")
def privacy_policy():
    """Our privacy policy, current version."""
    return _page(PRIVACY, PRIVACY.current)


@bp.route("/cookies")
def cookie_policy():
    """Our cookie policy, current version: the cookies the platform itself sets."""
    return _page(COOKIES, COOKIES.current)


@bp.route("/legal/<key>/<version>")
def document_version(key: str, version: str):
    """Any version of one of our documents, as it was published."""
    document = DOCUMENTS.get(key)
    found = document.find(version) if document is not None else None
    if found is None:
        abort(404)
    return _page(document, found)
