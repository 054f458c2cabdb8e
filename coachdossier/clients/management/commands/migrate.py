"""`migrate` that also migrates the key store and creates the cache table.

Client data keys live in their own database ("keys", see clients/crypto.py). Without
--database, this migrates both, so `coachdossier migrate` is the whole set-up step. A named
database (`--database default`, or `call_command("migrate", database=...)` as Django's test
set-up calls it for each test database in turn) is migrated alone: the test set-up of the main
database used to migrate the key store too, and at that moment "keys" still named the real
key-store database, not its test copy (an extra full pass, on a database no test should touch).

The cache (settings.CACHES: login rate limits and used TOTP codes, shared by all workers)
is a table Django makes with `createcachetable`, not a migration. It is created here, after
each database is migrated, because this is the one command that a fresh clone
(script/server), every deployment and every upgrade already run; it only creates what is
missing, and the router keeps it out of the key store."""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS


class Command(DjangoMigrate):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        # No default, so that a database named by the caller (even "default") can be told from none.
        parser.set_defaults(database=None)

    def get_check_kwargs(self, options):
        # Django's migrate checks the one database it is given; without one, both are migrated.
        kwargs = super().get_check_kwargs(options)
        if options.get("database") is None:
            kwargs["databases"] = [DEFAULT_DB_ALIAS, "keys"]
        return kwargs

    def handle(self, *args, **options):
        if options.get("database") is not None:
            self._migrate(*args, **options)
            return
        for database in (DEFAULT_DB_ALIAS, "keys"):
            self._migrate(*args, **{**options, "database": database})

    def _migrate(self, *args, **options):
        super().handle(*args, **options)
        if not (options.get("plan") or options.get("check_unapplied")):  # those two only report
            call_command("createcachetable", database=options["database"], verbosity=options.get("verbosity", 1))
