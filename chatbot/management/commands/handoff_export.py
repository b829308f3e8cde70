"""Write a company's confirmed handoff reviews as a scenario file that handoff_eval replays."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from chatbot.evaluation import ScenarioFileError
from chatbot.scenario_export import (
    ExportError,
    bot_choose,
    review_scenarios_export,
    since_parse,
    tenant_by_slug,
)


def _write_atomically(path: Path, text: str) -> None:
    """The whole file or nothing: written beside its place, then renamed into it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class Command(BaseCommand):
    help = (
        "Write the confirmed handoff reviews of a company's bot as a scenario file (handoff-scenarios/1) "
        "for handoff_eval, with the bot's settings and knowledge base; customers' words are masked."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the company's slug")
        parser.add_argument(
            "--bot", help="the bot's id, name or public key (needed when several bots have reviews)"
        )
        parser.add_argument("--since", help="only reviews confirmed on or after this day (YYYY-MM-DD, UTC)")
        parser.add_argument("--output", required=True, type=Path, help="the scenario file to write")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, tenant: str, bot: str | None, since: str | None, output: Path, **options):
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a folder: nothing written.")
        try:
            confirmed_since = since_parse(since)
            company = tenant_by_slug(tenant)
            chosen = bot_choose(company, bot)
            with tqdm(
                desc="reviews", unit="conversation", disable=options["no_progress"], leave=False
            ) as bar:
                export = review_scenarios_export(
                    tenant=company,
                    bot=chosen,
                    confirmed_since=confirmed_since,
                    progress=bar.update,
                    on_total=lambda total: setattr(bar, "total", total),
                )
        except ExportError as exc:
            raise CommandError(f"{exc} Nothing written.") from exc
        except ScenarioFileError as exc:
            raise CommandError(
                f"The export would not be a valid scenario file ({exc}). Nothing written."
            ) from exc
        _write_atomically(output, json.dumps(export.data, indent=2, ensure_ascii=False) + "\n")
        for conversation_id, why in export.skipped:
            self.stdout.write(f"  left out conversation {conversation_id}: {why}")
        verdicts: dict[str, int] = {}
        for scenario in export.data["scenarios"]:
            verdicts[scenario["verdict"]] = verdicts.get(scenario["verdict"], 0) + 1
        counts = ", ".join(f"{verdict} {count}" for verdict, count in sorted(verdicts.items()))
        self.stdout.write(
            f"Wrote {output}: {export.scenarios} scenarios of bot {chosen.pk} ({chosen.name}) ({counts}); "
            f"{len(export.skipped)} left out. Replay it with: python manage.py handoff_eval {output}"
        )
