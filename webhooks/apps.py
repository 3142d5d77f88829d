from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"

    def ready(self) -> None:
        # tracking and workspaces announce their changes through their own signals, sent
        # inside the change's transaction; webhooks records them in its outbox there (neither
        # app imports this one).
        from tracking.events import tracking_changed
        from webhooks.services import change_record
        from workspaces.events import membership_changed

        tracking_changed.connect(change_record, dispatch_uid="webhooks.tracking")
        membership_changed.connect(change_record, dispatch_uid="webhooks.memberships")
