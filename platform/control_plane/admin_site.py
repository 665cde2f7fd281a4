"""The control plane's Django admin, for platform staff: a second factor on every sign-in, an audit entry per change.

`site` replaces Django's default admin at /admin/. Staff sign in with their password and a code from the
authenticator app they enrolled in the portal (or a backup code), checked by the same lockout as the portal's
API; django-otp marks the session verified, and `OTPAdminSite` admits only verified staff. Apps register their
models here with `AuditedModelAdmin`, which records every add, change and delete with source "admin".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_otp.admin import OTPAdminSite

from control_plane.accounts import actions as account_actions
from control_plane.accounts.forms import otp_token_field, verify_second_factor
from control_plane.accounts.models import User
from control_plane.audit.actions import record
from control_plane.audit.models import AuditEvent
from control_plane.tenants.models import Membership, Tenant


class TwoFactorAdminLoginForm(AdminAuthenticationForm):
    """Password (staff only, as Django's admin form checks) and then a second-factor code, always."""

    otp_token = otp_token_field(required=True)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if code := cleaned.get("otp_token"):  # without it, the field's own "required" error says what is missing
            verify_second_factor(cast(HttpRequest, self.request), self.get_user(), code, page="admin")
        return cleaned


class TenantryAdminSite(OTPAdminSite):
    site_header = "Tenantry platform administration"
    site_title = "Tenantry admin"
    # The stub types this as django-otp's own form; the admin's login view takes any AuthenticationForm.
    login_form = TwoFactorAdminLoginForm  # type: ignore[assignment]
    login_template = "admin/two_factor_login.html"


site = TenantryAdminSite(name="admin")  # type: ignore[no-untyped-call]  # django-otp is not annotated

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:  # ModelAdmin is generic for django-stubs only
    ModelAdmin = admin.ModelAdmin


class AuditedModelAdmin(ModelAdmin):
    """A ModelAdmin whose every add, change and delete is an audit event ("admin.add", "admin.change",
    "admin.delete") with source "admin", in the same transaction as the write."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = sorted(form.changed_data) if form is not None else []
            self.audit(request, "admin.change" if change else "admin.add", obj, fields=fields)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self.audit(request, "admin.delete", obj, name=str(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.audit(request, "admin.delete", obj, name=str(obj))
            super().delete_queryset(request, queryset)

    def audit(self, request: HttpRequest, action: str, obj: Model, **data: Any) -> None:
        record(action, actor=request.user, target=obj, data=data, request=request, source="admin")


class ReadOnlyAdmin(ModelAdmin):
    """Records the admin shows and never writes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User, site=site)
class UserAdmin(AuditedModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    # No password here: people set theirs through the portal's links, never through an operator.
    fields = ["email", "full_name", "is_active", "is_staff", "is_superuser", "email_verified_at", "groups"]
    readonly_fields = ["email_verified_at"]
    filter_horizontal = ["groups"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data and not obj.is_active:
                # A deactivated account's tokens die with its sessions.
                account_actions.revoke_sessions(obj, reason="deactivated_by_staff")


@admin.register(Group, site=site)
class GroupAdmin(AuditedModelAdmin):
    """Groups of staff permissions (what each operator may see and change here)."""

    search_fields = ["name"]
    ordering = ["name"]
    filter_horizontal = ["permissions"]


@admin.register(Tenant, site=site)
class TenantAdmin(AuditedModelAdmin):
    """Read-mostly: the lifecycle moves through tenants.actions (its state machine), not through this form."""

    list_display = ["slug", "name", "plan", "tier", "state", "region", "created_at"]
    list_filter = ["state", "plan", "tier", "region"]
    search_fields = ["slug", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Tenant._meta.fields if field.name != "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership, site=site)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["tenant__slug", "user__email"]
    list_select_related = ["tenant", "user"]


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor_email", "tenant", "target_type", "target_id", "source"]
    list_filter = ["source", "action"]
    search_fields = ["actor_email", "tenant", "target_id", "action"]
    date_hierarchy = "created_at"
