from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from chatbot.models import KnowledgeArticle, ModelUsage
from chatbot.preview import triggers_preview
from chatbot.services import bot_add, bot_identity_secret_rotate
from helpdesk.admin_scoping import TenantScopedAdmin
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot, UnreadableSecret
from helpdesk.services import message_text_clean


class BotForm(forms.ModelForm):
    """The bot's own Anthropic key is written here and never shown again: the page says whether one is set,
    a blank box keeps it, and a tick box removes it."""

    anthropic_api_key = forms.CharField(
        label="Anthropic API key",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    anthropic_api_key_clear = forms.BooleanField(
        label="Remove the bot's own key",
        required=False,
        help_text="The bot then uses the deployment's key (ANTHROPIC_API_KEY), or the local responder.",
    )

    class Meta:
        model = Bot
        fields = [
            "tenant", "name", "greeting", "language", "instructions", "model_name", "anthropic_api_key",
            "confidence_threshold", "queue", "order_number_pattern", "currency", "refund_handoff_amount",
            "max_unresolved_turns", "handoff_message", "trigger_explicit_request", "trigger_sensitive_topic",
            "trigger_negative_sentiment", "trigger_repeated_failure", "trigger_low_confidence",
            "offline_policy",
        ]  # fmt: skip
        help_texts = {
            "name": "Shown to customers in the chat widget's header (a page's data-title replaces it).",
            "greeting": "The bot's first message in every new conversation. The default greeting is shown "
            "in the bot's language; your own words are shown as written.",
            "language": "The bot's own texts (handoff message, offline path, disclaimers) are in the "
            "customer's language once it is detected from what they write, and in this one until then.",
            "queue": "The operator queue handed-off conversations wait in. Its business hours and whether it "
            "needs an agent online decide when the offline policy below applies instead.",
            "confidence_threshold": "From 0 to 1. An answer the bot is less sure of is not sent, and the "
            "conversation goes to a person (low confidence). Default 0.35.",
            "currency": "ISO 4217 code, e.g. USD: amounts customers write without one are read in it.",
            "refund_handoff_amount": "A refund request above this amount goes to a person (as a sensitive "
            "topic, so only while that trigger is on). 0 switches this rule off.",
            "max_unresolved_turns": "Customer turns in a row without a resolved answer before the "
            "conversation goes to a person (repeated failure). 0 never counts them.",
            "trigger_explicit_request": "Hand off when the customer asks for a person.",
            "trigger_sensitive_topic": "Hand off on billing disputes, complaints, legal matters, account "
            "security and cancellation, and large refunds. Categories and your own keywords are the bot's "
            "Handoff rules.",
            "trigger_negative_sentiment": "Hand off when the customer is frustrated with us or the bot.",
            "trigger_repeated_failure": "Hand off when the customer is unhappy with the answers, asks the "
            "same again, or after the unresolved turns below.",
            "trigger_low_confidence": "Hand off instead of sending an answer under the confidence threshold.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.pop("anthropic_api_key", None)  # never in the page, not even as an initial value
        stored = self.instance.anthropic_api_key if self.instance.pk else ""
        if isinstance(stored, UnreadableSecret):
            state = "set, but it cannot be read with the current encryption key"
        else:
            state = "set" if stored else "not set"
        self.fields["anthropic_api_key"].help_text = (
            f"Currently {state}. Type a key to replace it; leave blank to keep what is stored. "
            "It is stored encrypted and never shown again. Without one the deployment's key is used."
        )

    def clean(self):
        cleaned = super().clean()
        typed, clear = cleaned.get("anthropic_api_key"), cleaned.get("anthropic_api_key_clear")
        if typed and clear:
            self.add_error("anthropic_api_key", "Type a new key or remove the key, not both.")
        elif clear:
            cleaned["anthropic_api_key"] = ""
        elif not typed:
            cleaned["anthropic_api_key"] = self.instance.anthropic_api_key if self.instance.pk else ""
        return cleaned


@admin.register(Bot)
class BotAdmin(TenantScopedAdmin):
    form = BotForm
    list_display = ["name", "tenant", "queue", "confidence_threshold", "public_key", "rule_tester_link"]
    list_filter = ["tenant"]
    search_fields = ["name"]
    readonly_fields = ["public_key", "rule_tester_link", "identity_verification"]
    actions = ["identity_secret_rotate"]
    fieldsets = [
        (None, {"fields": ["tenant", "name", "public_key", "greeting", "language", "identity_verification"]}),
        (
            "Answers",
            {
                "description": "How the bot answers from its knowledge base. With an Anthropic key (the "
                "bot's own or the deployment's) Claude answers; without one the local responder does.",
                "fields": [
                    "instructions",
                    "model_name",
                    "anthropic_api_key",
                    "anthropic_api_key_clear",
                    "confidence_threshold",
                ],
            },
        ),
        (
            "Handoff to a person",
            {
                "description": "When the conversation goes to an agent, where it waits, and what the "
                "customer is told.",
                "fields": [
                    "queue",
                    "trigger_explicit_request",
                    "trigger_sensitive_topic",
                    "trigger_negative_sentiment",
                    "trigger_repeated_failure",
                    "trigger_low_confidence",
                    "max_unresolved_turns",
                    "refund_handoff_amount",
                    "handoff_message",
                    "rule_tester_link",
                ],
            },
        ),
        (
            "When nobody can take a handoff",
            {"fields": ["offline_policy"]},
        ),
        (
            "What the bot collects",
            {
                "description": "Details read from customers' messages into the conversation for the agent.",
                "fields": ["order_number_pattern", "currency"],
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """A tenant's admin has no tenant field (it is theirs); a superuser picks it."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "tenant"]})
            for name, options in fieldsets
        ]

    @admin.display(description="Identity verification")
    def identity_verification(self, bot: Bot) -> str:
        if bot.identity_secret:
            return (
                "On. Your site signs a logged-in user's id with the secret (hex HMAC-SHA256) and passes "
                "data-user-id and data-user-hash to the widget. The secret is shown only when made: make a "
                "new one from the list's actions if it is lost."
            )
        return "Off. Turn it on from the list's actions to let your site name its logged-in users."

    @admin.action(description="Turn on identity verification with a new secret (shown once)")
    def identity_secret_rotate(self, request, queryset) -> None:
        for bot in queryset:
            secret = bot_identity_secret_rotate(bot=bot)
            self.message_user(
                request,
                f"{bot.name}: the identity secret is {secret} . Copy it to your site's server now: it is not "
                "shown again, and the previous secret no longer verifies anyone.",
                messages.WARNING,
            )

    @admin.display(description="Handoff rules")
    def rule_tester_link(self, bot: Bot) -> str:
        if not bot.pk:
            return "-"
        url = reverse("admin:helpdesk_bot_rule_tester", args=[bot.pk])
        return format_html('<a href="{}">Test the handoff rules</a>', url)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A bot made here starts with the default sensitive-topic rules, like one made anywhere else.
        self.tenant_assign(request, obj)
        bot_add(bot=obj)

    def get_urls(self):
        extra = [
            path(
                "<int:bot_id>/rule-tester/",
                self.admin_site.admin_view(self.rule_tester_view),
                name="helpdesk_bot_rule_tester",
            )
        ]
        return extra + super().get_urls()

    def rule_tester_view(self, request, bot_id: int):
        bot = get_object_or_404(self.get_queryset(request), pk=bot_id)
        if not self.has_view_permission(request, bot):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "bot": bot, "opts": self.model._meta, "text": ""}
        if request.method == "POST":
            context["text"] = request.POST.get("text", "")
            try:
                context["preview"] = triggers_preview(bot=bot, text=message_text_clean(context["text"]))
            except InvalidInput as exc:
                context["error"] = exc.message
        return TemplateResponse(request, "admin/helpdesk/bot/rule_tester.html", context)


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(TenantScopedAdmin):
    list_display = ["title", "bot", "enabled", "updated_at"]
    # RelatedOnly: a tenant's admin must not see the other tenants' bots among the filter's choices.
    list_filter = ["tenant", ("bot", admin.RelatedOnlyFieldListFilter), "enabled"]
    search_fields = ["title", "body"]


@admin.register(ModelUsage)
class ModelUsageAdmin(TenantScopedAdmin):
    """What the bots' model calls cost, read-only: rows are written by the bot's turn, never by hand."""

    list_display = [
        "created_at",
        "tenant",
        "bot",
        "conversation",
        "model_name",
        "outcome",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cost_usd",
        "attempts",
        "duration_ms",
    ]
    list_filter = ["tenant", ("bot", admin.RelatedOnlyFieldListFilter), "model_name", "outcome"]
    list_select_related = ["bot", "conversation"]
    date_hierarchy = "created_at"
    raw_id_fields = ["conversation", "message"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
