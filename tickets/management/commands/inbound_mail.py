"""Import customers' emailed replies from an mbox file, as the inbound endpoint would one by one."""

from __future__ import annotations

import mailbox
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from helpdesk.errors import DomainError
from helpdesk.models import Tenant
from tickets.inbound import parse_rfc822
from tickets.services import inbound_email_receive


class Command(BaseCommand):
    help = (
        "Import the messages of MAILBOX_FILE (mbox) as replies on TENANT's tickets (its slug or id). Each "
        "message is matched by its [T-nnnn] subject token or In-Reply-To, like the inbound endpoint; a "
        "message already imported is skipped, and a refused one is reported with its reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the tenant's slug or id")
        parser.add_argument("mailbox_file", help="an mbox file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        key = options["tenant"]
        tenant = Tenant.objects.filter(slug=key).first() or (
            Tenant.objects.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if tenant is None:
            raise CommandError(f"No tenant with the slug or id {key!r}.")
        path = Path(options["mailbox_file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")

        box = mailbox.mbox(path, create=False)
        try:
            keys = box.keys()
            counts: Counter[str] = Counter()
            rejected: list[str] = []
            for index, message_key in enumerate(
                tqdm(keys, desc="messages", unit="msg", disable=options["no_progress"], leave=False), start=1
            ):
                raw = box.get_bytes(message_key)
                try:
                    result = inbound_email_receive(tenant_id=tenant.pk, email=parse_rfc822(raw))
                except DomainError as exc:
                    rejected.append(f"message {index}: {exc.code}: {exc.message}")
                    continue
                counts["imported" if result.created else "duplicate"] += 1
        finally:
            box.close()

        for problem in rejected:
            self.stderr.write(self.style.ERROR(f"rejected {problem}"))
        self.stdout.write(
            f"{tenant.slug}: {counts['imported']} imported, {counts['duplicate']} already there, "
            f"{len(rejected)} rejected"
        )
