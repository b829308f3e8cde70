from rest_framework.views import APIView


class WidgetSessionView(APIView):
    pass
