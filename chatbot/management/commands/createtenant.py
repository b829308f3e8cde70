from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chatbot.bootstrap import tenant_bootstrap
from helpdesk.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Set up a company on this installation: its tenant, the first admin (Django admin and inbox), a "
        "queue and a bot. Prints the logins and the widget snippet."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help='The company\'s name, e.g. "Acme Outdoor".')
        parser.add_argument("slug", help="A short unique id: letters, numbers, hyphens, e.g. acme.")
        parser.add_argument("admin_email", help="The first admin's email (also their username).")
        parser.add_argument(
            "--password",
            help="The admin's password. Without it a random one is generated and printed once.",
        )
        parser.add_argument("--bot-name", default="", help='The bot\'s name (default: "<name> assistant").')

    def handle(self, *args, **options):
        try:
            made = tenant_bootstrap(
                name=options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
                password=options["password"],
                bot_name=options["bot_name"],
            )
        except InvalidInput as exc:
            details = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        site = settings.SITE_URL.rstrip("/")
        out = self.stdout
        out.write(self.style.SUCCESS(f"Tenant ready: {made.tenant.name} ({made.tenant.slug})"))
        if made.user_existed:
            out.write(f"  Admin        : {made.admin_username} (an existing user; password unchanged)")
        elif made.password:
            out.write(f"  Admin        : {made.admin_username}  password: {made.password}  (shown once)")
        else:
            out.write(f"  Admin        : {made.admin_username}  (the password you gave)")
        out.write(f"  Django admin : {site}/admin/  (add agents, knowledge articles, business hours)")
        out.write(f"  Agent inbox  : {site}/inbox/")
        out.write(f"  Queue        : {made.queue.name}")
        out.write(f"  Bot          : {made.bot.name}")
        out.write("  Widget snippet for the company's site:")
        script = f'<script src="{site}/static/widget/widget.js" data-bot-key="{made.bot.public_key}" async>'
        out.write(f"    {script}</script>")
