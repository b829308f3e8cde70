from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk.views import healthz, readyz, script_catalog

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inbox:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", include("inbox.urls")),
    path("chat/", include("chatbot.urls")),
    path("", include("tickets.urls")),
    path("reports/", include("handoff.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/reports/", include("handoff.api.urls")),
    # Under the widget's API prefix so the chat widget on a customer's site may fetch it (CORS_URLS_REGEX).
    path("api/v1/widget/i18n/<str:lang>.json", script_catalog, name="script-catalog"),
    path("api/v1/", include("config.api_urls")),
]
