from django.apps import AppConfig


class QuickbooksSyncConfig(AppConfig):
    name = "quickbooks_sync"
    verbose_name = "QuickBooks Online"
