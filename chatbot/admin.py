from django.contrib import admin

from chatbot.models import Bot, KnowledgeArticle


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "queue", "confidence_threshold", "public_key"]
    list_filter = ["tenant"]
    search_fields = ["name"]
    readonly_fields = ["public_key"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "bot", "enabled", "updated_at"]
    list_filter = ["tenant", "bot", "enabled"]
    search_fields = ["title", "body"]
