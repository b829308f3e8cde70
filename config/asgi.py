"""The ASGI entry point: HTTP through Django, WebSockets through the routes in ``config.routing``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from handoff.detection.store import detector_get  # noqa: E402
from helpdesk.housekeeping import HousekeepingStarter  # noqa: E402

# No server without the handoff model: a missing, corrupt or stale file stops the start with what to run,
# rather than a first customer message that cannot be judged.
detector_get()

# The first connection starts this process's housekeeping thread (pickup deadlines, the outbox sweep and
# the bot-turn watchdog), so periodic work runs even with no Celery beat or worker.
application = HousekeepingStarter(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": URLRouter(websocket_urlpatterns),
        }
    )
)
