"""The documents card on the pages of the things documents belong to (a customer, a work order)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select

from saas.core.extensions import db
from saas.documents import services
from saas.documents.models import KIND_LABELS, SENSITIVE_KINDS, Document, DocumentKind

SECTION_LIMIT = 10


def kind_choices(user) -> list[tuple[str, str]]:
    """The kinds `user` may upload (the office also ID cards and licences)."""
    may_sensitive = user.can(services.SENSITIVE_PERMISSION)
    return [(kind.value, KIND_LABELS[kind]) for kind in DocumentKind if may_sensitive or kind not in SENSITIVE_KINDS]


@dataclass(frozen=True)
class Section:
    """The documents card on a customer's or work order's page."""

    owner_kind: str
    owner_id: int
    documents: list[Document]
    total: int
    url: str  # the owner's documents page, where uploads are posted too
    may_upload: bool
    kinds: list[tuple[str, str]]


def document_section(user, owner_kind: str, owner_id: int) -> Section:
    """The latest documents of an owner that `user` may see (two queries at most)."""
    query = services.documents_query(user, **{f"{owner_kind}_id": owner_id})
    documents = list(db.session.scalars(query.limit(SECTION_LIMIT)))
    total = (
        len(documents)
        if len(documents) < SECTION_LIMIT
        else db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    )
    url = url_for(f"documents.{owner_kind}", **{f"{owner_kind}_id": owner_id})
    may_upload = services.may_upload(user, owner_kind)
    return Section(owner_kind, owner_id, documents, total, url, may_upload, kind_choices(user))
