from django.urls import path

from chatbot import views

app_name = "chatbot"
urlpatterns = [
    path("demo/<str:public_key>/", views.bot_preview, name="preview"),
]
