from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers of Django's own logout and user events (see the module's docstring for why signals).
        # Forgets the cached webhook subscriptions when a webhook changes.
        # Deletes a deleted attachment's files after the commit.
        from helpdesk import (
            attachments,  # noqa: F401
            socket_access,  # noqa: F401
            webhooks,  # noqa: F401
        )
