from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from chatbot.models import KnowledgeArticle, ModelUsage
from chatbot.preview import triggers_preview
from chatbot.services import bot_add
from helpdesk.admin_scoping import TenantScopedAdmin
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot
from helpdesk.services import message_text_clean


@admin.register(Bot)
class BotAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "queue", "confidence_threshold", "public_key", "rule_tester_link"]
    list_filter = ["tenant"]
    search_fields = ["name"]
    readonly_fields = ["public_key", "rule_tester_link"]

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
