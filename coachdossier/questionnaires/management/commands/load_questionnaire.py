"""`coachdossier load_questionnaire FILE`: load a practice's own instrument (YAML or JSON).

A broken definition is refused with every problem listed (line, path, reason) and nothing
is loaded. Loading the same file twice changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.questionnaires import actions
from coachdossier.questionnaires.definitions import DefinitionError


class Command(BaseCommand):
    help = "Load a questionnaire definition (YAML or JSON, see questionnaires/schema/questionnaire.schema.json)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text; nothing loaded") from None
        try:
            with acting(Actor(user=None, channel="command")):
                row, created = actions.load_questionnaire(actor=None, source=source, now=timezone.now())
        except DefinitionError as exc:
            listing = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{file}: {len(exc.problems)} problem(s); nothing loaded:\n{listing}") from exc
        if created:
            self.stdout.write(f"Loaded {row.key} version {row.version} ({row.checksum[:12]}).")
        else:
            self.stdout.write(f"{row.key} version {row.version} was already loaded; nothing changed.")
