"""Replay a scenario file through the live pipeline and print how the handoff decisions scored."""

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

from chatbot.evaluation import ScenarioFileError, scenarios_replay, scenarios_score, scenarios_validate


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = (
        "Replay handoff scenarios (format handoff-scenarios/1) on a throwaway tenant with the local "
        "responder and print per-reason precision/recall, decision accuracy and collected-field accuracy."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the scenario file (JSON)")
        parser.add_argument(
            "--json", dest="json_out", metavar="OUT", help="also write the results as JSON here"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def _database_ready(self) -> None:
        """The embedded SQLite database is brought up to date on the spot; any other must be migrated by
        its operator first."""
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return
        if connection.vendor != "sqlite":
            raise CommandError("The database has unapplied migrations: run `python manage.py migrate` first.")
        self.stderr.write("Applying migrations to the embedded database first.")
        call_command("migrate", verbosity=0, interactive=False)

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not valid JSON ({exc})") from exc
        try:
            bot, kb, scenarios = scenarios_validate(data)
        except ScenarioFileError as exc:
            raise CommandError(
                f"{path}: not a valid scenario file:\n  - " + "\n  - ".join(exc.problems)
            ) from exc

        self._database_ready()
        with tqdm(total=len(scenarios), desc="scenarios", disable=options["no_progress"], leave=False) as bar:
            outcomes = scenarios_replay(bot, kb, scenarios, progress=lambda: bar.update(1))
        summary = scenarios_score(outcomes)

        out = self.stdout
        failing = [o for o in outcomes if not o.ok]
        if failing:
            out.write("Failing scenarios:")
            for o in failing:
                out.write(f"  {o.id}: " + "; ".join(o.problems))
        out.write("")
        out.write(f"{'reason':<20} {'expected':>8} {'predicted':>9} {'precision':>9} {'recall':>7}")
        for reason, row in summary["per_reason"].items():
            out.write(
                f"{reason:<20} {row['expected']:>8} {row['predicted']:>9} "
                f"{_pct(row['precision']):>9} {_pct(row['recall']):>7}"
            )
        out.write("")
        if options["json_out"]:
            results = {
                "scenarios": [
                    {
                        "id": o.id,
                        "handoff_at": o.handoff_at,
                        "reason": o.reason,
                        "collected": o.collected,
                        "ok": o.ok,
                    }
                    for o in outcomes
                ],
                "summary": summary,
            }
            Path(options["json_out"]).write_text(json.dumps(results, indent=2), encoding="utf-8")
        out.write(
            f"summary: {summary['ok']}/{summary['scenarios']} scenarios ok, "
            f"decision accuracy {_pct(summary['decision_accuracy'])}, "
            f"collected-field accuracy {_pct(summary['collected_accuracy'])}, "
            f"handoff recall {_pct(summary['handoff_recall'])}, false handoffs {summary['false_handoffs']}"
        )
