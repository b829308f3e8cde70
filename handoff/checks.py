"""Start-up checks: a server without a usable handoff model must refuse to start, saying what to run.

Registered as a Django system check (``manage.py check``, ``runserver``, ``migrate``); the ASGI entry
point and the Celery worker load the model when they start for the same reason (neither runs checks).
"""

from __future__ import annotations

from django.core.checks import Error, register

from handoff.detection.store import DetectorUnavailable, detector_get


@register("handoff")
def detector_check(app_configs=None, **kwargs) -> list[Error]:
    try:
        detector_get()
    except DetectorUnavailable as exc:
        return [Error(str(exc), hint="python manage.py detection_train", id="handoff.E001")]
    return []
