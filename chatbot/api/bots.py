"""Bots and their settings, and their knowledge articles (with a bulk import, all or nothing)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from chatbot.models import KnowledgeArticle
from chatbot.services import (
    article_create,
    article_delete,
    article_update,
    articles_import_json,
    bot_update,
)
from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView, tenant_ref
from helpdesk.api.parsers import RequestTooLarge, body_limit
from helpdesk.api.serializers import FiniteFloatField, IdField
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot, Queue

TRIGGERS = [
    "trigger_explicit_request",
    "trigger_sensitive_topic",
    "trigger_negative_sentiment",
    "trigger_repeated_failure",
    "trigger_low_confidence",
]


class BotOut(serializers.ModelSerializer):
    has_anthropic_api_key = serializers.SerializerMethodField(
        help_text="Whether the bot has its own Anthropic key. The key itself is never returned."
    )

    class Meta:
        model = Bot
        fields = [
            "id",
            "name",
            "public_key",
            "greeting",
            "language",
            "instructions",
            "model_name",
            "has_anthropic_api_key",
            "confidence_threshold",
            "queue_id",
            "order_number_pattern",
            "currency",
            "refund_handoff_amount",
            "max_unresolved_turns",
            "handoff_message",
            *TRIGGERS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_anthropic_api_key(self, bot: Bot) -> bool:
        """The tenant's own Anthropic key is a secret: it is written, never read back."""
        return bool(bot.anthropic_api_key)


class BotUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    greeting = serializers.CharField(max_length=2000)
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        help_text="The language of the bot's own texts until a customer's language is detected.",
    )
    instructions = serializers.CharField(max_length=10000, allow_blank=True)
    model_name = serializers.CharField(max_length=80, allow_blank=True)
    anthropic_api_key = serializers.CharField(
        max_length=200,
        allow_blank=True,
        write_only=True,
        help_text="Write-only: the bot's own Anthropic key, stored encrypted; an empty string removes it "
        "(the deployment's key is then used). Answers say only has_anthropic_api_key.",
    )
    confidence_threshold = FiniteFloatField(min_value=0.0, max_value=1.0)
    queue_id = IdField(allow_null=True)
    order_number_pattern = serializers.CharField(max_length=200, allow_blank=True)
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217, e.g. USD.")
    refund_handoff_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    max_unresolved_turns = serializers.IntegerField(min_value=1, max_value=50)
    handoff_message = serializers.CharField(max_length=2000)
    trigger_explicit_request = serializers.BooleanField()
    trigger_sensitive_topic = serializers.BooleanField()
    trigger_negative_sentiment = serializers.BooleanField()
    trigger_repeated_failure = serializers.BooleanField()
    trigger_low_confidence = serializers.BooleanField()


class BotListView(TenantAPIView):
    @extend_schema(responses=BotOut(many=True))
    def get(self, request):
        return self.page(Bot.objects.for_tenant(self.tenant), BotOut)


class BotDetailView(TenantAPIView):
    admin_writes = True

    def bot(self, bot_id: int) -> Bot:
        return access_row(Bot, tenant=self.tenant, pk=bot_id, what="bot")

    @extend_schema(responses=BotOut)
    def get(self, request, bot_id: int):
        return self.output(BotOut, self.bot(bot_id))

    @extend_schema(request=BotUpdateIn, responses=BotOut)
    def patch(self, request, bot_id: int):
        bot = self.bot(bot_id)
        changes = self.body(BotUpdateIn, partial=True)
        if "queue_id" in changes:
            queue_id = changes.pop("queue_id")
            changes["queue"] = (
                None
                if queue_id is None
                else tenant_ref(Queue.objects.for_tenant(self.tenant), queue_id, "queue_id")
            )
        return self.output(BotOut, bot_update(bot=bot, **changes))


class ArticleOut(serializers.ModelSerializer):
    url = serializers.CharField(help_text="Blank, or the article's http(s) address.")

    class Meta:
        model = KnowledgeArticle
        fields = ["id", "bot_id", "title", "body", "url", "enabled", "updated_at"]
        read_only_fields = fields


class ArticleIn(serializers.Serializer):
    bot_id = IdField()
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=100_000)
    url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    enabled = serializers.BooleanField(required=False, default=True)


class ArticleUpdateIn(ArticleIn):
    bot_id = None


class ArticleFilter(serializers.Serializer):
    bot = IdField(required=False)
    enabled = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, max_length=200, help_text="Part of the title or body.")


class ArticleImportItem(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.URLField(required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class ImportOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ArticleListView(TenantAPIView):
    admin_writes = True

    @extend_schema(parameters=[ArticleFilter], responses=ArticleOut(many=True))
    def get(self, request):
        f = self.query(ArticleFilter)
        qs = KnowledgeArticle.objects.for_tenant(self.tenant)
        if "bot" in f:
            qs = qs.filter(bot_id=f["bot"])
        if "enabled" in f:
            qs = qs.filter(enabled=f["enabled"])
        if "q" in f:
            qs = qs.filter(Q(title__icontains=f["q"]) | Q(body__icontains=f["q"]))
        return self.page(qs, ArticleOut)

    @extend_schema(request=ArticleIn, responses={201: ArticleOut})
    def post(self, request):
        data = self.body(ArticleIn)
        bot = tenant_ref(Bot.objects.for_tenant(self.tenant), data.pop("bot_id"), "bot_id")
        return self.output(ArticleOut, article_create(bot=bot, **data), status=201)


class ArticleDetailView(TenantAPIView):
    admin_writes = True

    def article(self, article_id: int) -> KnowledgeArticle:
        return access_row(KnowledgeArticle, tenant=self.tenant, pk=article_id, what="article")

    @extend_schema(responses=ArticleOut)
    def get(self, request, article_id: int):
        return self.output(ArticleOut, self.article(article_id))

    @extend_schema(request=ArticleUpdateIn, responses=ArticleOut)
    def patch(self, request, article_id: int):
        article = self.article(article_id)
        return self.output(
            ArticleOut, article_update(article=article, **self.body(ArticleUpdateIn, partial=True))
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, article_id: int):
        article_delete(article=self.article(article_id))
        return Response(status=204)


class ArticleImportView(TenantAPIView):
    """The body is the JSON list of ``kb_import`` (the format of a ``.json`` file): ``[{"title", "body",
    "url"?, "enabled"?}, ...]``. Titles the bot has are updated, others created; one bad item refuses the
    whole list, naming its line."""

    admin_writes = True

    @extend_schema(
        parameters=[OpenApiParameter("bot", int, required=True, description="The bot to import into.")],
        request=ArticleImportItem(many=True),
        responses=ImportOut,
    )
    def post(self, request):
        bot_id = request.query_params.get("bot", "")
        if not bot_id.isdigit():
            raise InvalidInput("Name the bot: ?bot=<id>.", fields={"bot": ["A bot id is required."]})
        bot = access_row(Bot, tenant=self.tenant, pk=bot_id, what="bot")
        if not (request.content_type or "").startswith("application/json"):
            raise exceptions.UnsupportedMediaType(request.content_type)
        # The raw text, not request.data: errors name lines of what the caller sent.
        limit = body_limit()
        raw = request.stream.read(limit + 1 if limit else -1) if request.stream is not None else b""
        if limit and len(raw) > limit:
            raise RequestTooLarge(f"The request body is over the limit of {limit} bytes.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("The body is not UTF-8.", fields={"articles": ["Not UTF-8 text."]}) from exc
        return Response(articles_import_json(bot=bot, text=text))
