"""`migrate` that also migrates the key store.

Client data keys live in their own database ("keys", see clients/crypto.py). Without
--database, this migrates both, so `coachdossier migrate` is the whole set-up step."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        explicit = options.get("database") not in (None, DEFAULT_DB_ALIAS) or getattr(self, "_database_given", False)
        super().handle(*args, **options)
        if not explicit:
            super().handle(*args, **{**options, "database": "keys"})

    def run_from_argv(self, argv):
        self._database_given = any(a == "--database" or a.startswith("--database=") for a in argv)
        return super().run_from_argv(argv)
