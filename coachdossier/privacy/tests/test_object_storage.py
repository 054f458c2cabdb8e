"""GC-6.6, GC-5.4 with attachments on S3-compatible object storage (ATTACHMENTS_STORAGE=s3):
every way a stored file is written, read, swept, backed up, restored or destroyed works the
same on a bucket as on the local directory, and only ciphertext ever reaches the bucket.

The bucket is a real S3 server on loopback (moto's), spoken to over HTTP by boto3, as
django-storages does in production; the tests skip only when that server cannot start."""

import io
import os
import subprocess
import sys
import unittest
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings

from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import Attachment, EntryKind
from coachdossier.privacy import actions, backup, handover
from coachdossier.test import BaseTestCase

MARKER = b"Zwanenburg-S3-MARKER-41d2"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + MARKER + b"\n%%EOF\n"
CREDENTIALS = {"access_key": "moto-test", "secret_key": "moto-test", "region_name": "eu-west-1"}
_server = None


def s3_endpoint() -> str:
    """The loopback S3 server, started once for this module."""
    global _server
    if _server is None:
        try:
            from moto.server import ThreadedMotoServer

            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
        except Exception as exc:  # an import error or a socket that cannot be bound
            raise unittest.SkipTest(f"moto's S3 server cannot start here: {exc}") from exc
        _server = server
    host, port = _server.get_host_and_port()
    return f"http://{host}:{port}"


def teardown_module():
    if _server is not None:
        _server.stop()


def new_bucket():
    import boto3  # type: ignore[import-untyped]  # no stubs; only this test talks to S3 directly

    endpoint = s3_endpoint()
    name = f"coachdossier-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=CREDENTIALS["access_key"],
                      aws_secret_access_key=CREDENTIALS["secret_key"], region_name=CREDENTIALS["region_name"])
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]})
    return s3, name, endpoint


class OnObjectStorage(BaseTestCase):
    """Each test gets a bucket of its own as the default storage, configured as settings.py
    configures ATTACHMENTS_STORAGE=s3."""

    def setUp(self):
        super().setUp()
        self.s3, self.bucket, endpoint = new_bucket()
        storage = {"BACKEND": "storages.backends.s3.S3Storage",
                   "OPTIONS": {**settings.STORAGES["default"].get("OPTIONS", {}), "bucket_name": self.bucket,
                               "endpoint_url": endpoint, **CREDENTIALS, "default_acl": "private",
                               "file_overwrite": False, "querystring_auth": True}}
        storage["OPTIONS"].pop("location", None)
        override = override_settings(STORAGES={**settings.STORAGES, "default": storage})
        override.enable()
        self.addCleanup(override.disable)

    def objects(self) -> dict[str, bytes]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {o["Key"]: self.s3.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read() for o in listing}

    def add_entry(self, *files):
        return client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                        occurred_on=self.now.date(), title="Bijlage", now=self.now,
                                        files=[SimpleUploadedFile(name, data) for name, data in files])


class AttachmentOnObjectStorageTestCase(OnObjectStorage):
    def test_gc_6_6_an_attachment_lands_in_the_bucket_as_ciphertext_and_reads_back_as_uploaded(self):
        """GC-6.6"""
        self.assertEqual(default_storage.__class__.__name__, "S3Storage")
        attachment = self.add_entry(("verslag.pdf", PDF)).attachments.get()
        stored = self.objects()
        self.assertEqual(list(stored), [attachment.storage_name])
        self.assertNotIn(MARKER, stored[attachment.storage_name])
        self.assertNotIn(b"verslag", stored[attachment.storage_name])
        self.assertEqual(client_actions.read_attachment(attachment), PDF)

    def test_gc_6_6_a_refused_second_file_takes_the_first_one_out_of_the_bucket_again(self):
        """GC-6.6: all or nothing, on the bucket too (atomic_files)."""
        with self.assertRaises(ValidationError):
            self.add_entry(("verslag.pdf", PDF), ("virus.exe", b"MZ\x90\x00" + b"\x00" * 64))
        self.assertEqual(self.objects(), {})
        self.assertEqual(Attachment.objects.count(), 0)

    def test_gc_5_4_destroying_a_client_deletes_their_objects_from_the_bucket(self):
        """GC-5.4"""
        self.add_entry(("verslag.pdf", PDF))
        self.assertEqual(len(self.objects()), 1)
        with self.captureOnCommitCallbacks(execute=True):
            client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now,
                                          reason="Verzoek van de cliënt")
        self.assertEqual(self.objects(), {})

    def test_the_daily_sweep_removes_an_orphaned_object_and_keeps_the_referenced_one(self):
        """GC-5.4: a file whose row never committed (a process killed in between)."""
        kept = self.add_entry(("verslag.pdf", PDF)).attachments.get().storage_name
        orphan = default_storage.save(f"{self.own_client.public_id}/{uuid.uuid4()}.bin", ContentFile(b"sealed"))
        from django.utils import timezone

        later = timezone.now() + actions.ORPHAN_FILE_GRACE * 2  # the bucket's own clock stamps the objects
        self.assertEqual(actions.purge_orphan_files(now=later, dry_run=True), ["would remove 1 orphaned file(s)"])
        self.assertEqual(set(self.objects()), {kept, orphan})
        self.assertEqual(actions.purge_orphan_files(now=later), ["removed 1 orphaned file(s)"])
        self.assertEqual(set(self.objects()), {kept})

    def test_pr_3_the_handover_zip_holds_the_attachment_read_from_the_bucket(self):
        """PR-3"""
        attachment = self.add_entry(("verslag.pdf", PDF)).attachments.get()
        data, _source, _count = handover.build(self.own_client, self.own_client.trajectories.get(), now=self.now)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertEqual(archive.read(handover._path(attachment)), PDF)


class BackupOfObjectStorageTestCase(OnObjectStorage):
    """The file half of `backup` and `restore` (the database half is the same for both stores
    and is tested in test_backup.py; script/deploy-check runs the whole commands on a bucket)."""

    def test_law_32_a_backup_copies_every_object_and_a_restore_makes_the_bucket_hold_exactly_those(self):
        """LAW-32, GC-5.4: the backup set holds the ciphertext as it is in the bucket."""
        import tempfile
        from pathlib import Path

        attachment = self.add_entry(("verslag.pdf", PDF)).attachments.get()
        default_storage.save("registry/cv/old.bin", ContentFile(b"sealed cv"))  # a file in a nested folder
        before = self.objects()
        with tempfile.TemporaryDirectory() as tmp:
            files = Path(tmp) / "files"
            self.assertEqual(backup.copy_files(files), 2)
            copied = {p.relative_to(files).as_posix(): p.read_bytes() for p in files.rglob("*") if p.is_file()}
            self.assertEqual(copied, before)
            # The bucket loses the attachment and gains a stray object; the restore undoes both.
            self.s3.delete_object(Bucket=self.bucket, Key=attachment.storage_name)
            self.s3.put_object(Bucket=self.bucket, Key="stray/after-the-backup.bin", Body=b"x")
            backup.restore_files(files)
        self.assertEqual(self.objects(), before)
        self.assertEqual(client_actions.read_attachment(attachment), PDF)


class ObjectStorageSettingsTestCase(SimpleTestCase):
    def start(self, **env):
        code = ("import django; django.setup(); from django.core.files.storage import default_storage as s; "
                "s._setup(); print(type(s._wrapped).__name__, getattr(s, 'bucket_name', ''))")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTACHMENTS_")}
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                              env={**clean, "DJANGO_SETTINGS_MODULE": "coachdossier.settings", "DEBUG": "true", **env})

    def test_the_local_directory_stays_the_default(self):
        done = self.start()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("FileSystemStorage", done.stdout)

    def test_attachments_storage_s3_with_a_bucket_gives_the_s3_backend(self):
        done = self.start(ATTACHMENTS_STORAGE="s3", ATTACHMENTS_S3_BUCKET="praktijk-bijlagen",
                          ATTACHMENTS_S3_ENDPOINT_URL="http://127.0.0.1:9")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("S3Storage praktijk-bijlagen", done.stdout)

    def test_s3_without_a_bucket_stops_with_one_line_naming_the_variable(self):
        done = self.start(ATTACHMENTS_STORAGE="s3")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ATTACHMENTS_S3_BUCKET is required", done.stderr)
        self.assertNotIn("Traceback", done.stderr)

    def test_an_unknown_storage_kind_is_refused_by_name(self):
        done = self.start(ATTACHMENTS_STORAGE="ftp")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ATTACHMENTS_STORAGE must be 'local' or 's3', not 'ftp'", done.stderr)

