"""The REST API's routes: the one file that wires every app's API together (mounted at ``/api/v1/``).

Path ids are looked up inside the caller's tenant: a missing id and another tenant's answer the same 404.
"""

from django.urls import path, re_path

from chatbot.api.attachments import (
    WidgetAttachmentContentView,
    WidgetAttachmentThumbnailView,
    WidgetAttachmentUploadView,
)
from chatbot.api.bots import ArticleDetailView, ArticleImportView, ArticleListView, BotDetailView, BotListView
from chatbot.api.conversations import ConversationDetailView, ConversationListView, ConversationMessagesView
from chatbot.api.views import WidgetSessionView
from handoff.api.views import (
    ConversationHandoffView,
    HandoffDetailView,
    HandoffListView,
    HandoffReportView,
    HandoffRuleDetailView,
    HandoffRuleListView,
)
from helpdesk.api.attachments import (
    AttachmentContentView,
    AttachmentThumbnailView,
    ConversationAttachmentsView,
)
from helpdesk.api.contacts import ContactDetailView, ContactListView
from helpdesk.api.integrations import (
    ApiKeyDetailView,
    ApiKeyListView,
    ApiKeyRevokeView,
    WebhookDeliveryListView,
    WebhookDetailView,
    WebhookListView,
    WebhookRotateSecretView,
)
from helpdesk.api.views import api_not_found
from inbox.api.views import (
    AgentDetailView,
    AgentListView,
    AgentReplyView,
    CannedReplyDetailView,
    CannedReplyListView,
    QueueDetailView,
    QueueListView,
)
from tickets.api.views import (
    BusinessHoursDetailView,
    BusinessHoursListView,
    TicketDetailView,
    TicketListView,
    TicketRepliesView,
)

conversation = "conversations/<int:conversation_id>/"

urlpatterns = [
    path("widget/sessions/", WidgetSessionView.as_view(), name="widget-session"),
    path("widget/attachments/", WidgetAttachmentUploadView.as_view(), name="widget-attachments"),
    path(
        "widget/attachments/<int:attachment_id>/content/",
        WidgetAttachmentContentView.as_view(),
        name="widget-attachment-content",
    ),
    path(
        "widget/attachments/<int:attachment_id>/thumbnail/",
        WidgetAttachmentThumbnailView.as_view(),
        name="widget-attachment-thumbnail",
    ),
    path("conversations/", ConversationListView.as_view(), name="conversation-list"),
    path(conversation, ConversationDetailView.as_view(), name="conversation-detail"),
    path(conversation + "messages/", ConversationMessagesView.as_view(), name="conversation-messages"),
    path(conversation + "replies/", AgentReplyView.as_view(), name="conversation-replies"),
    path(conversation + "handoff/", ConversationHandoffView.as_view(), name="conversation-handoff"),
    path(
        conversation + "attachments/", ConversationAttachmentsView.as_view(), name="conversation-attachments"
    ),
    path(
        "attachments/<int:attachment_id>/content/", AttachmentContentView.as_view(), name="attachment-content"
    ),
    path(
        "attachments/<int:attachment_id>/thumbnail/",
        AttachmentThumbnailView.as_view(),
        name="attachment-thumbnail",
    ),
    path("handoffs/", HandoffListView.as_view(), name="handoff-list"),
    path("handoffs/<int:handoff_id>/", HandoffDetailView.as_view(), name="handoff-detail"),
    path("handoff-rules/", HandoffRuleListView.as_view(), name="handoff-rule-list"),
    path("handoff-rules/<int:rule_id>/", HandoffRuleDetailView.as_view(), name="handoff-rule-detail"),
    path("reports/handoffs/", HandoffReportView.as_view(), name="report-handoffs"),
    path("contacts/", ContactListView.as_view(), name="contact-list"),
    path("contacts/<int:contact_id>/", ContactDetailView.as_view(), name="contact-detail"),
    path("bots/", BotListView.as_view(), name="bot-list"),
    path("bots/<int:bot_id>/", BotDetailView.as_view(), name="bot-detail"),
    path("articles/", ArticleListView.as_view(), name="article-list"),
    path("articles/import/", ArticleImportView.as_view(), name="article-import"),
    path("articles/<int:article_id>/", ArticleDetailView.as_view(), name="article-detail"),
    path("queues/", QueueListView.as_view(), name="queue-list"),
    path("queues/<int:queue_id>/", QueueDetailView.as_view(), name="queue-detail"),
    path("business-hours/", BusinessHoursListView.as_view(), name="business-hours-list"),
    path("business-hours/<int:hours_id>/", BusinessHoursDetailView.as_view(), name="business-hours-detail"),
    path("agents/", AgentListView.as_view(), name="agent-list"),
    path("agents/<int:agent_id>/", AgentDetailView.as_view(), name="agent-detail"),
    path("canned-replies/", CannedReplyListView.as_view(), name="canned-reply-list"),
    path("canned-replies/<int:reply_id>/", CannedReplyDetailView.as_view(), name="canned-reply-detail"),
    path("tickets/", TicketListView.as_view(), name="ticket-list"),
    path("tickets/<int:ticket_id>/", TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<int:ticket_id>/replies/", TicketRepliesView.as_view(), name="ticket-replies"),
    path("api-keys/", ApiKeyListView.as_view(), name="api-key-list"),
    path("api-keys/<int:key_id>/", ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("api-keys/<int:key_id>/revoke/", ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("webhooks/", WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>/", WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:webhook_id>/rotate-secret/", WebhookRotateSecretView.as_view(), name="webhook-rotate"
    ),
    path(
        "webhooks/<int:webhook_id>/deliveries/", WebhookDeliveryListView.as_view(), name="webhook-deliveries"
    ),
    # Anything else under the API answers in the error shape, not with an HTML page.
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]
