"""`migrate` sets up both databases (the main one and the key store, GC-5.4) when none is named,
and only the named one otherwise: Django's test set-up names each test database in turn, and
the key store named at that moment by the main database's pass was the real one, not its copy."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate

from coachdossier.clients.management.commands import migrate


@pytest.fixture
def migrated():
    databases: list[str] = []
    with (
        mock.patch.object(DjangoMigrate, "handle", lambda self, *a, **o: databases.append(o["database"])),
        mock.patch.object(migrate, "call_command"),
    ):
        yield databases


def test_gc_5_4_migrate_without_a_database_sets_up_the_main_database_and_the_key_store(migrated):
    call_command("migrate", verbosity=0)
    assert migrated == ["default", "keys"]


@pytest.mark.parametrize("database", ["default", "keys"])
def test_migrate_of_a_named_database_leaves_the_other_one_alone(migrated, database):
    call_command("migrate", database=database, verbosity=0)
    call_command("migrate", "--database", database, verbosity=0)
    assert migrated == [database, database]


@pytest.mark.django_db(databases=["default", "keys"])
def test_migrate_from_the_command_line_runs_its_system_checks_on_both_databases(migrated):
    """`manage.py migrate` (script/server, every deployment) runs the system checks first, for
    the databases it migrates: with no database named, Django's own check was handed None."""
    call_command("migrate", verbosity=0, skip_checks=False)
    assert migrated == ["default", "keys"]
