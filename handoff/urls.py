from django.urls import path

from handoff import views
from handoff.review import views as review

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="index"),
    path("review/", review.review_queue_view, name="review"),
    path("review/c/<int:conversation_id>/mark/", review.review_mark_view, name="review_mark"),
    path("review/c/<int:conversation_id>/confirm/", review.review_confirm_view, name="review_confirm"),
    path("review/c/<int:conversation_id>/correct/", review.review_correct_view, name="review_correct"),
]
