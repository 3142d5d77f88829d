from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from workspaces.models import AuditLog
from workspaces.models import Invitation
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg, unused-ignore]
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Preferences", {"fields": ("time_zone", "week_start", "date_format", "time_format")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg, unused-ignore]
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):  # type: ignore[type-arg, unused-ignore]
    list_display = ["name", "plan", "currency", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg, unused-ignore]
    list_display = ["email", "workspace", "role", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    raw_id_fields = ["workspace", "invited_by", "accepted_by"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg, unused-ignore]
    list_display = ["created_at", "workspace", "actor", "event", "target"]
    list_filter = ["event"]
    search_fields = ["target", "event"]
    raw_id_fields = ["workspace", "actor"]

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False
