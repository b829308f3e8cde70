from django.conf import settings
from django.core.management.base import BaseCommand

from chatbot.demo import demo_load


class Command(BaseCommand):
    help = "Load (or refresh) the demo tenant, and print where to go and how to log in. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Host the server binds (with --port).")
        parser.add_argument(
            "--port", type=int, help="Port the server listens on; printed links use it instead of SITE_URL."
        )

    def handle(self, *args, **options):
        demo = demo_load()
        if options["port"]:
            site = f"http://{options['host']}:{options['port']}"
        else:
            site = settings.SITE_URL.rstrip("/")
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo tenant ready: {demo.tenant.name}"))
        out.write(f"  Customer demo page : {site}/chat/demo/{demo.bot.public_key}/")
        out.write(f"  Agent inbox        : {site}/inbox/")
        out.write(f"  Django admin       : {site}/admin/")
        out.write(f"  Agents             : {', '.join(demo.agents)}  (password: {demo.password})")
        out.write(f"  Admin              : {demo.admin}  (password: {demo.password})")
