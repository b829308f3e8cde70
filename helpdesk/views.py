"""Project-level views: liveness and readiness, for load balancers, orchestrators and docker-compose; the
browser scripts' translations."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.i18n import JSONCatalog

from helpdesk.health import readiness_report
from helpdesk.language import supported_languages

# An hour: a deployment's new translations reach browsers within it.
CATALOG_MAX_AGE = 3600


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Asks no dependency, so a dead database never restarts web processes."""
    return JsonResponse({"ok": True})


async def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency's state; 503 while a required one is down (see helpdesk.health).

    Async so the probes never wait in line with requests on the process's one sync thread."""
    report = await readiness_report()
    return JsonResponse(report.as_json(), status=200 if report.ready else 503)


def script_catalog(request: HttpRequest, lang: str) -> HttpResponse:
    """The translations of the browser scripts (the ``djangojs`` catalogs in ``locale/``) for one of the
    product's languages, as Django's JSON catalog: what the chat widget on a customer's site and the
    agents' pages load to show their words in the reader's language.

    Public and the same for everyone, so it is cached by browsers and proxies; a language the product does
    not speak is a 404 naming the ones it does (the scripts then keep their English)."""
    if lang not in supported_languages():
        return JsonResponse(
            {"detail": f"No translations for “{lang}”: use one of {', '.join(supported_languages())}."},
            status=404,
        )
    with translation.override(lang):
        response = JSONCatalog.as_view(domain="djangojs")(request)
    patch_cache_control(response, public=True, max_age=CATALOG_MAX_AGE)
    return response
