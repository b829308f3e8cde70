from helpdesk.consumers import HelpdeskConsumer


class WidgetConsumer(HelpdeskConsumer):
    pass
