from django.urls import path

from inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_index, name="index"),
    path("list/<str:name>/", views.inbox_list_page, name="list"),
    path("c/<int:conversation_id>/", views.conversation_detail, name="conversation"),
]
