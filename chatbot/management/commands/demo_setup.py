"""Load the demo tenant and print where to go.

The printed links use the address the server is served on, found the way ``make run`` passes it: the
``--port`` (and ``--host``) it gives, else the ``PORT`` environment variable ``make run`` reads too, else
``SITE_URL``. A wildcard bind (``0.0.0.0``, ``::``) is printed as the loopback address a browser can open.
"""

import os
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chatbot.demo import demo_load

# A bind address names every interface; a browser on this machine reaches it on loopback.
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}
HOST_PATTERN = re.compile(r"^\[?[A-Za-z0-9.:-]+\]?$")


def port_parse(value, source: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise CommandError(f"{source} must be a port number from 1 to 65535, not {value!r}.") from None
    if not 1 <= port <= 65535:
        raise CommandError(f"{source} must be a port number from 1 to 65535, not {value!r}.")
    return port


def site_for(host: str, port: int) -> str:
    """The browser address of a server bound to ``host`` and ``port``."""
    host = host.strip()
    if not HOST_PATTERN.match(host):
        raise CommandError(f"--host must be a host name or an IP address, not {host!r}.")
    host = WILDCARD_HOSTS.get(host, host).strip("[]")
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Load (or refresh) the demo tenant, and print where to go and how to log in. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Host the server binds (with --port).")
        parser.add_argument(
            "--port",
            help="Port the server listens on (default: the PORT environment variable, as `make run` reads "
            "it); printed links use it instead of SITE_URL.",
        )

    def handle(self, *args, **options):
        if options["port"] is not None:
            site = site_for(options["host"], port_parse(options["port"], "--port"))
        elif os.environ.get("PORT", "").strip():
            site = site_for(options["host"], port_parse(os.environ["PORT"], "The PORT environment variable"))
        else:
            site = settings.SITE_URL.rstrip("/")
        demo = demo_load()
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo tenant ready: {demo.tenant.name}"))
        out.write(f"  Customer demo page : {site}/chat/demo/{demo.bot.public_key}/")
        out.write(f"  Agent inbox        : {site}/inbox/")
        out.write(f"  Django admin       : {site}/admin/")
        out.write(f"  Agents             : {', '.join(demo.agents)}  (password: {demo.password})")
        out.write(f"  Admin              : {demo.admin}  (password: {demo.password})")
