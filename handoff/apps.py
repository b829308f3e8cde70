from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handoff import checks  # noqa: F401  (registers the start-up check)
        from handoff.offline_reply import ticket_reply_from_chat
        from inbox.relays import offline_reply_relay_register

        offline_reply_relay_register(ticket_reply_from_chat)
