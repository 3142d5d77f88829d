from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces and people"

    def ready(self) -> None:
        # The per-address count of failed sign-ins (a signal receiver), and the check that
        # refuses to migrate a database part-way through the squashed migrations.
        from workspaces import checks  # noqa: F401
        from workspaces import signin  # noqa: F401
