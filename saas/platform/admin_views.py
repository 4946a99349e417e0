"""Console: the platform admins. Everyone sees who they are; owners change roles, close accounts and
reset a lost second factor, each with a reason. New admins are created with `flask users create-admin`."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from saas.core.requests import FormPage
from saas.platform import admins as accounts
from saas.platform import forms, totp
from saas.platform.access import AdminRole, console_required
from saas.platform.blueprint import bp
from saas.platform.models import PlatformAdmin


@bp.route("/admins")
@console_required("shops.view")
def admins():
    """Every platform admin with role, second factor and last login."""
    everyone = accounts.all_admins()
    codes_left = (
        {admin.id: totp.recovery_codes_left(admin) for admin in everyone} if current_user.may("admins.manage") else {}
    )
    return render_template("platform/admins.html", admins=everyone, codes_left=codes_left)


def _admin_page(admin_id: int, **submitted) -> FormPage:
    def render() -> str:
        admin = accounts.get_admin(admin_id)
        page_forms = {
            "role_form": forms.RoleForm(prefix="role", formdata=None, roles=AdminRole, role=admin.role),
            "account_form": forms.ActionForm(prefix="account", formdata=None),
            "reset_form": forms.ActionForm(prefix="reset", formdata=None),
            **submitted,
        }
        return render_template("platform/admin.html", admin=admin, **page_forms)

    return FormPage(render, next(iter(submitted.values()), None))


@bp.route("/admins/<int:admin_id>")
@console_required("admins.manage")
def admin_account(admin_id: int):
    """One admin's account and what an owner may change about it."""
    accounts.get_admin(admin_id)
    return _admin_page(admin_id).show()


def _act(admin_id: int, name: str, form: forms.ActionForm, act: Callable[[PlatformAdmin], str]):
    """Validate the form (else the admin's page again, 400), do it, flash what `act` answers."""
    admin = accounts.get_admin(admin_id)
    page = _admin_page(admin_id, **{name: form})
    if not form.validate_on_submit():
        return page.show()
    flash(act(admin), "success")
    return redirect(url_for("platform.admin_account", admin_id=admin_id), 303)


@bp.route("/admins/<int:admin_id>/role", methods=["POST"])
@console_required("admins.manage")
def change_admin_role(admin_id: int):
    """Make the admin an owner or support."""
    form = forms.RoleForm(prefix="role", roles=AdminRole)

    def act(admin: PlatformAdmin) -> str:
        accounts.change_role(current_user, admin, form.role.data, form.reason_text())
        return f"{admin.name} is now {admin.role_label.lower()}."

    return _act(admin_id, "role_form", form, act)


@bp.route("/admins/<int:admin_id>/deactivate", methods=["POST"])
@console_required("admins.manage")
def deactivate_admin(admin_id: int):
    """Close the admin's account (sessions end at once)."""
    form = forms.ActionForm(prefix="account")

    def act(admin: PlatformAdmin) -> str:
        accounts.deactivate(current_user, admin, form.reason_text())
        return f"{admin.name}'s account is closed."

    return _act(admin_id, "account_form", form, act)


@bp.route("/admins/<int:admin_id>/reactivate", methods=["POST"])
@console_required("admins.manage")
def reactivate_admin(admin_id: int):
    """Open a closed admin account again."""
    form = forms.ActionForm(prefix="account")

    def act(admin: PlatformAdmin) -> str:
        accounts.reactivate(current_user, admin, form.reason_text())
        return f"{admin.name}'s account is open again."

    return _act(admin_id, "account_form", form, act)


@bp.route("/admins/<int:admin_id>/reset-second-factor", methods=["POST"])
@console_required("admins.manage")
def reset_admin_second_factor(admin_id: int):
    """The admin lost their phone and codes: their next login sets up a new second factor."""
    form = forms.ActionForm(prefix="reset")

    def act(admin: PlatformAdmin) -> str:
        accounts.reset_second_factor(current_user, admin, form.reason_text())
        return f"{admin.name}'s second factor is reset; their next login sets up a new one."

    return _act(admin_id, "reset_form", form, act)
