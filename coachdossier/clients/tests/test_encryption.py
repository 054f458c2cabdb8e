"""GC-2.3, LAW-32: client data is encrypted at rest. Seed clients, then read the raw
database (SQLite: the database image, with the WAL checkpointed; PostgreSQL: a dump) and
the attachment files, and find none of their names, emails, BSNs or note texts."""

import base64
import os
import shutil
import subprocess

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import override_settings

from coachdossier.clients import actions, crypto
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import Client, EntryKind, PersonalData
from coachdossier.test import NOW, make_user

SECRETS = {
    "first": "Xanthippe", "last": "Quirijnsen-Oudemans", "email": "xanthippe.q@voorbeeld.nl", "bsn": "111222333",
    "note": "Wil graag terug naar de bloemenveiling in Aalsmeer",
    "goal": "Binnen zes maanden duurzaam aan het werk als hovenier",
    "attachment": "Sollicitatiebrief-Xanthippe.pdf",
}


def raw_database(alias="default") -> bytes:
    conn = connections[alias]
    conn.ensure_connection()
    if conn.vendor == "sqlite":
        name = str(conn.settings_dict["NAME"])
        if conn.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's wrapper has it
            return bytes(conn.connection.serialize())
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = b""
        for path in (name, name + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    data += fh.read()
        return data
    if conn.vendor == "postgresql":
        return _postgres_dump(conn)
    pytest.skip(f"no raw reader for {conn.vendor}")


def _postgres_dump(conn) -> bytes:
    s = conn.settings_dict
    if shutil.which("pg_dump"):
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        args = ["pg_dump", "--data-only", "-h", s.get("HOST") or "localhost", "-p", str(s.get("PORT") or 5432),
                "-U", s.get("USER") or "postgres", s["NAME"]]
        result = subprocess.run(args, env=env, capture_output=True)
        if result.returncode == 0:
            return result.stdout
    # No pg_dump: every text and bytea value of every table.
    out: list = []
    with conn.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public'
                          AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json')""")
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')  # nosec B608  # names from information_schema
            out.extend((row[0] or "") for row in cursor.fetchall())
    return "\n".join(out).encode()


def variants(text: str) -> list[bytes]:
    """The text as it could appear: UTF-8, UTF-16 (SQLite may store either), hex (a dump of bytea)."""
    return [text.encode(), text.encode("utf-16-le"), text.encode().hex().encode(),
            base64.b64encode(text.encode())[:16]]


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_gc_2_3_no_client_name_email_bsn_or_note_text_is_readable_in_the_raw_database(tmp_path):
    """GC-2.3, LAW-32"""
    with override_settings(STORAGES={**settings.STORAGES, "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}):
        management = make_user("m@example.com", "Mia Directie", "management")
        coach = make_user("c@example.com", "Alice Coach", "coach")
        uwv = actions.create_principal(actor=management, name="UWV Kantoor Plaintext", kind="uwv",
                                       statutory_report_right=True)
        client = actions.register_client(actor=management, principal=uwv, now=NOW, personal=PersonalData(
            first_name=SECRETS["first"], last_name=SECRETS["last"], email=SECRETS["email"], bsn=SECRETS["bsn"]))
        actions.open_trajectory(actor=management, client=client, principal=uwv, coach=coach, source="umbrella",
                                uwv_order_number="UWV-1", goal_text=SECRETS["goal"], now=NOW)
        actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=NOW.date(), title="Intake",
                          text=SECRETS["note"], now=NOW,
                          files=[SimpleUploadedFile(SECRETS["attachment"], DEMO_PDF + SECRETS["note"].encode())])
        crypto.KeyRing.clear()
        # The data are there and readable through the application...
        client = Client.objects.get(pk=client.pk)
        assert client.personal.bsn == SECRETS["bsn"]
        # ...and the scan sees plaintext where there is some (the principal is not client data).
        main, keys = raw_database("default"), raw_database("keys")
        assert any(v in main for v in variants("UWV Kantoor Plaintext"))
        files = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
        assert files, "the attachment was stored"
        for label, secret in SECRETS.items():
            for blob_name, blob in (("database", main), ("key store", keys), ("attachments", files)):
                for form in variants(secret):
                    assert form not in blob, f"{label} readable in the {blob_name}"
                    assert form.lower() not in blob.lower() or len(form) < 6, f"{label} readable in {blob_name}"


@pytest.mark.django_db(databases=["default", "keys"])
def test_law_32_key_rotation_rewraps_every_data_key_and_the_data_stay_readable(settings):
    """LAW-32: `rotate_keys` after a new master key is put in front."""
    from django.core.management import call_command

    from coachdossier.clients.crypto import ClientKey

    management = make_user("m@example.com", "Mia Directie", "management")
    client = actions.register_client(actor=management, now=NOW,
                                     personal=PersonalData(first_name="Roos", last_name="Bakker"))
    old_id = crypto.current_master_key_id()
    new_key = base64.b64encode(os.urandom(32)).decode()
    settings.MASTER_KEYS = f"rot2:{new_key},{settings.MASTER_KEYS}"
    call_command("rotate_keys", stdout=open(os.devnull, "w"))
    assert set(ClientKey.objects.values_list("master_key_id", flat=True)) == {"rot2"}
    # The old master key can go: the data are still readable.
    settings.MASTER_KEYS = f"rot2:{new_key}"
    crypto.KeyRing.clear()
    assert Client.objects.get(pk=client.pk).display_name == "Roos Bakker"
    assert old_id != "rot2"


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_ciphertext_moved_to_another_client_does_not_decrypt():
    """GC-2.3: associated data binds each ciphertext to its row and field."""
    management = make_user("m@example.com", "Mia Directie", "management")
    a = actions.register_client(actor=management, now=NOW, personal=PersonalData(first_name="Anna", last_name="A"))
    b = actions.register_client(actor=management, now=NOW, personal=PersonalData(first_name="Bram", last_name="B"))
    Client.objects.filter(pk=b.pk).update(name_sealed=a.name_sealed)
    crypto.KeyRing.clear()
    with pytest.raises(InvalidTag):
        _ = Client.objects.get(pk=b.pk).display_name


@pytest.mark.django_db(databases=["default", "keys"])
def test_law_32_rotate_keys_without_the_old_master_key_says_what_to_do_and_changes_nothing(settings):
    """LAW-32: removing the old master key before `rotate_keys` ran is refused with the way out."""
    from django.core.management import CommandError, call_command

    from coachdossier.clients.crypto import ClientKey

    management = make_user("m@example.com", "Mia Directie", "management")
    actions.register_client(actor=management, now=NOW, personal=PersonalData(first_name="Roos", last_name="Bakker"))
    old_id = crypto.current_master_key_id()
    settings.MASTER_KEYS = f"rot2:{base64.b64encode(os.urandom(32)).decode()}"
    with pytest.raises(CommandError, match=f"'{old_id}'.*put the old key back"):
        call_command("rotate_keys", stdout=open(os.devnull, "w"))
    assert set(ClientKey.objects.values_list("master_key_id", flat=True)) == {old_id}


@pytest.mark.parametrize("value", ["{key}", "k1:{key}x", "k1:short", "k1:{key},{key}"])
def test_law_32_a_malformed_master_key_setting_is_explained_without_echoing_the_key(value):
    """LAW-32: a secret forgotten its "id:" (or mistyped) never reaches a log line."""
    key = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(ValueError) as failure:
        crypto._parse_master_keys(value.format(key=key))
    assert key not in str(failure.value) and key[:20] not in str(failure.value)
    assert "COACHDOSSIER_MASTER_KEYS" in str(failure.value)
