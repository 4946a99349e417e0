"""The published versions of a shop's privacy policy: reading them, and publishing a new one.

A version keeps the full text as published, its hash and date; nothing ever changes it. The owner
publishes what the settings generate now (the draft), after seeing how it differs from the last
version, and says whether the change is material: a material change is announced by mail to the
customers who agreed to marketing, whose consent then waits for their re-confirmation
(saas.privacy.announcements).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import defer, load_only, selectinload

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.privacy import announcements
from saas.privacy.shop_models import MarketingReconfirmation, ReconfirmationAnswer, ShopPolicyVersion
from saas.privacy.shop_policy import generate_policy_text, policy_diff, text_hash
from saas.privacy.shop_settings import locked_settings

SUMMARY_MAX = 2000


class PolicyError(ServiceError):
    """Publishing the policy is not possible as asked."""


@dataclass(frozen=True)
class Draft:
    """The policy the shop's settings generate now, and how it compares with the latest version."""

    text: str
    text_hash: str
    latest: ShopPolicyVersion | None

    @property
    def changed(self) -> bool:
        """True when publishing it would make a new version."""
        return self.latest is None or self.latest.text_hash != self.text_hash

    @property
    def diff(self):
        """What publishing would change (empty for a first version, or when nothing changed)."""
        return policy_diff(self.latest.text, self.text) if self.latest is not None and self.changed else []


def latest_version() -> ShopPolicyVersion | None:
    """The current shop's newest published version."""
    return db.session.scalar(select(ShopPolicyVersion).order_by(ShopPolicyVersion.version.desc()).limit(1))


def find_version(number: int) -> ShopPolicyVersion | None:
    """Version `number` of the current shop's policy."""
    return db.session.scalar(select(ShopPolicyVersion).where(ShopPolicyVersion.version == number))


def previous_version(version: ShopPolicyVersion) -> ShopPolicyVersion | None:
    """The version published just before `version`."""
    return db.session.scalar(
        select(ShopPolicyVersion)
        .where(ShopPolicyVersion.version < version.version)
        .order_by(ShopPolicyVersion.version.desc())
        .limit(1)
    )


def version_list() -> list[ShopPolicyVersion]:
    """Every published version, newest first, without their texts (for lists)."""
    return list(
        db.session.scalars(
            select(ShopPolicyVersion)
            .options(load_only(ShopPolicyVersion.version, ShopPolicyVersion.published_at, ShopPolicyVersion.material))
            .order_by(ShopPolicyVersion.version.desc())
        )
    )


def version_history() -> list[ShopPolicyVersion]:
    """Every published version, newest first, with who published it (no texts): the owner's list."""
    return list(
        db.session.scalars(
            select(ShopPolicyVersion)
            .options(defer(ShopPolicyVersion.text), selectinload(ShopPolicyVersion.published_by))
            .order_by(ShopPolicyVersion.version.desc())
        )
    )


def current_draft() -> Draft:
    """What the shop would publish now."""
    text = generate_policy_text(active_tenant())
    return Draft(text, text_hash(text), latest_version())


def publish(*, seen_hash: str, material: bool, summary: str, user_id: int | None) -> ShopPolicyVersion:
    """Publish the current draft as the next version; `seen_hash` is the draft the owner reviewed.

    Refused when the draft changed since it was reviewed (someone saved settings meanwhile), when
    nothing changed since the latest version, or when a material change has no summary. A first
    version announces nothing: no customer agreed to an earlier one.
    """
    locked_settings()  # one publication at a time per shop
    draft = current_draft()
    if seen_hash != draft.text_hash:
        raise PolicyError("The policy changed while you were reviewing it. Look at the new differences below.", 409)
    if not draft.changed:
        raise PolicyError(f"Nothing changed since version {draft.latest.version}: there is nothing to publish.", 409)
    summary = (summary or "").replace("\r\n", "\n").strip()
    if len(summary) > SUMMARY_MAX:
        raise PolicyError(f"Keep the summary under {SUMMARY_MAX} characters.", field="summary")
    material = bool(material) and draft.latest is not None
    if material and not summary:
        raise PolicyError("Say in a few words what changed: your customers read it in the e-mail.", field="summary")
    version = ShopPolicyVersion(
        version=(draft.latest.version + 1) if draft.latest else 1,
        text=draft.text,
        text_hash=draft.text_hash,
        published_at=utcnow(),
        published_by_id=user_id,
        material=material,
        summary=summary,
    )
    db.session.add(version)
    db.session.flush()
    if material:
        announcements.queue_announcement(version)
    return version


@dataclass(frozen=True)
class Reconfirmations:
    """How customers answered the re-confirmation a material version asked for."""

    asked: int = 0
    confirmed: int = 0
    declined: int = 0

    @property
    def waiting(self) -> int:
        return self.asked - self.confirmed - self.declined


def reconfirmation_counts() -> dict[int, Reconfirmations]:
    """{version id: answers so far}, in one query."""
    answer = MarketingReconfirmation.answer
    rows = db.session.execute(
        select(
            MarketingReconfirmation.policy_version_id,
            func.count(),
            func.count().filter(answer == ReconfirmationAnswer.CONFIRMED),
            func.count().filter(answer == ReconfirmationAnswer.DECLINED),
        ).group_by(MarketingReconfirmation.policy_version_id)
    ).all()
    return {version_id: Reconfirmations(asked, confirmed, declined) for version_id, asked, confirmed, declined in rows}
