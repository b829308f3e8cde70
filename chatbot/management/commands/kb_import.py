"""Import knowledge articles into a bot from Markdown files, a CSV or a JSON list (see chatbot.kb_import)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from chatbot.kb_import import ImportFileError, files_to_import, parse_file
from chatbot.services import articles_import, bot_lookup
from helpdesk.errors import NotFound


class Command(BaseCommand):
    help = (
        "Import articles into BOT (its id or public key) from a folder or a file (.md, .csv, .json). "
        "Articles are matched by title: new ones are created, changed ones updated, identical ones skipped. "
        "A file with an error is rejected whole, with the line and the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("bot", help="the bot's id or public key")
        parser.add_argument("source", help="a folder of .md/.csv/.json files, or one such file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        try:
            bot = bot_lookup(options["bot"])
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        try:
            paths = files_to_import(Path(options["source"]))
        except FileNotFoundError as exc:
            raise CommandError(f"{options['source']}: no such file or folder") from exc
        if not paths:
            raise CommandError(f"{options['source']}: no .md, .csv or .json files in it")

        totals = {"created": 0, "updated": 0, "unchanged": 0}
        rejected: list[str] = []
        for path in tqdm(paths, desc="files", unit="file", disable=options["no_progress"], leave=False):
            try:
                counts = articles_import(bot=bot, rows=parse_file(path))
            except ImportFileError as exc:
                rejected.append(str(exc))
                continue
            for key, value in counts.items():
                totals[key] += value

        for problem in rejected:
            self.stderr.write(self.style.ERROR(f"rejected {problem}"))
        self.stdout.write(
            f"{bot.name}: {totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} skipped (unchanged), {len(rejected)} file(s) rejected"
        )
        if rejected:
            raise CommandError(f"{len(rejected)} file(s) were rejected and nothing from them was imported")
