from django.contrib.auth import views as auth_views
from django.urls import include
from django.urls import path

from workspaces import views
from workspaces import views_api_keys

app_name = "workspaces"

# Under w/<ws>/settings/
settings_patterns = [
    path("", views.settings_general, name="settings"),
    path("rounding/", views.settings_rounding, name="settings_rounding"),
    path("time-entries/", views.settings_time_entries, name="settings_time_entries"),
    path("plan/", views.settings_plan, name="settings_plan"),
    path("approvals/", views.settings_approvals, name="settings_approvals"),
    path("integrations/", views.settings_integrations, name="settings_integrations"),
    path("delete/", views.workspace_delete, name="workspace_delete"),
]

# Under w/<ws>/team/
team_patterns = [
    path("", views.team, name="team"),
    path("invite/", views.team_invite, name="team_invite"),
    path("invitations/<str:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<str:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("members/<str:pk>/role/", views.member_role, name="member_role"),
    path("members/<str:pk>/status/", views.member_status, name="member_status"),
    path("members/<str:pk>/rate/", views.member_rate, name="member_rate"),
    path("members/<str:pk>/contractor/", views.member_contractor, name="member_contractor"),
    path("members/<str:pk>/make-owner/", views.member_make_owner, name="member_make_owner"),
]

urlpatterns = [
    path("", views.home, name="home"),
    # Accounts
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views_api_keys.api_keys, name="api_keys"),
    path(
        "profile/api-keys/<str:pk>/revoke/",
        views_api_keys.api_key_revoke_view,
        name="api_key_revoke",
    ),
    path("profile/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Workspaces
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("w/<str:ws>/settings/", include(settings_patterns)),
    path("w/<str:ws>/team/", include(team_patterns)),
    path("w/<str:ws>/audit-log/", views.audit_log, name="audit_log"),
]
