app_name = "chatbot"
urlpatterns = []
