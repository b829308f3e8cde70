"""Project-level views: liveness and readiness, for load balancers, orchestrators and docker-compose."""

from django.http import HttpRequest, JsonResponse

from helpdesk.health import readiness_report


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Asks no dependency, so a dead database never restarts web processes."""
    return JsonResponse({"ok": True})


async def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency's state; 503 while a required one is down (see helpdesk.health).

    Async so the probes never wait in line with requests on the process's one sync thread."""
    report = await readiness_report()
    return JsonResponse(report.as_json(), status=200 if report.ready else 503)
