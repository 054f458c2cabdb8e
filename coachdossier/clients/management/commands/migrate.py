"""`migrate` that also migrates the key store and creates the cache table.

Client data keys live in their own database ("keys", see clients/crypto.py). Without
--database, this migrates both, so `coachdossier migrate` is the whole set-up step.

The cache (settings.CACHES: login rate limits and used TOTP codes, shared by all workers)
is a table Django makes with `createcachetable`, not a migration. It is created here, after
each database is migrated, because this is the one command that a fresh clone
(script/server), every deployment and every upgrade already run; it only creates what is
missing, and the router keeps it out of the key store."""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        explicit = options.get("database") not in (None, DEFAULT_DB_ALIAS) or getattr(self, "_database_given", False)
        self._migrate(*args, **options)
        if not explicit:
            self._migrate(*args, **{**options, "database": "keys"})

    def _migrate(self, *args, **options):
        super().handle(*args, **options)
        if not (options.get("plan") or options.get("check_unapplied")):  # those two only report
            call_command("createcachetable", database=options.get("database") or DEFAULT_DB_ALIAS,
                         verbosity=options.get("verbosity", 1))

    def run_from_argv(self, argv):
        self._database_given = any(a == "--database" or a.startswith("--database=") for a in argv)
        return super().run_from_argv(argv)
