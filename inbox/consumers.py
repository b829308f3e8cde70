from helpdesk.consumers import HelpdeskConsumer


class InboxConsumer(HelpdeskConsumer):
    pass
