from django.urls import path
from django.views.generic import TemplateView

app_name = "inbox"
urlpatterns = [path("", TemplateView.as_view(template_name="x.html"), name="index")]
