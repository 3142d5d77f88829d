from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces and people"

    def ready(self) -> None:
        # Connects the per-address count of failed sign-ins (a signal receiver).
        from workspaces import signin  # noqa: F401
