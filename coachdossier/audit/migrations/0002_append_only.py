"""The access log is append-only for the application (LAW-NEN7513): triggers refuse UPDATE
always, and DELETE unless the prune gate is open (only `prune_access_log` opens it, inside
its own transaction). Also creates the chain head and the gate rows."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_accesslogentry
       WHEN (SELECT open FROM audit_prunegate WHERE id = 1) IS NOT 1
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]

POSTGRES = [
    """CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND (SELECT open FROM audit_prunegate WHERE id = 1) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'the access log is append-only';
       END $$""",
    """CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_accesslogentry
       FOR EACH ROW EXECUTE FUNCTION audit_log_guard()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_accesslogentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_log_no_truncate ON audit_accesslogentry",
    "DROP TRIGGER audit_log_guard ON audit_accesslogentry",
    "DROP FUNCTION audit_log_guard()",
]


def install(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)
    apps.get_model("audit", "ChainHead").objects.using(schema_editor.connection.alias).get_or_create(pk=1)
    apps.get_model("audit", "PruneGate").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


def uninstall(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
