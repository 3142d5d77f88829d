from django.apps import AppConfig


class QuickbooksSyncConfig(AppConfig):
    name = "quickbooks_sync"
    verbose_name = "QuickBooks Online"

    def ready(self) -> None:
        # A sent entry says so in its edit forms and before it is deleted (tracking shows the
        # notices without importing this app).
        from quickbooks_sync.selectors.send import sent_entry_notices
        from tracking.notices import register_entry_notice_provider

        register_entry_notice_provider(sent_entry_notices)
