"""Files left behind by a process that died between storing a file and committing its row
(or between a destruction's commit and its file deletion) are removed by the daily job,
once they are older than the grace period; referenced files are never touched."""

import datetime
import os
import tempfile
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.privacy import actions
from coachdossier.test import BaseTestCase


class TestPurgeOrphanFiles(BaseTestCase):
    def setUp(self):
        super().setUp()
        # A storage of its own: the shared test directory holds other tests' files.
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        storages = {**settings.STORAGES, "default": {**settings.STORAGES["default"],
                                                     "OPTIONS": {"location": directory.name}}}
        override = override_settings(STORAGES=storages)
        override.enable()
        self.addCleanup(override.disable)

    def store(self, name, age_hours):
        stored = default_storage.save(name, ContentFile(b"sealed bytes"))
        stamp = (self.now - datetime.timedelta(hours=age_hours)).timestamp()
        os.utime(default_storage.path(stored), (stamp, stamp))
        return stored

    def test_it_removes_old_orphans_and_keeps_referenced_and_young_files(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Loonstrook", now=self.now,
                                         files=[SimpleUploadedFile("loonstrook.pdf", DEMO_PDF)])
        kept = entry.attachments.get().storage_name
        own = self.own_client.public_id
        orphan = self.store(f"{own}/{uuid.uuid4()}.bin", age_hours=2)  # a SIGKILL before the commit
        young = self.store(f"{own}/{uuid.uuid4()}.bin", age_hours=0)  # its transaction may still run
        other_kind = self.store(f"{own}/measurement-{uuid.uuid4()}-report.bin", age_hours=2)  # not an attachment
        never_committed = self.store(f"{uuid.uuid4()}/{uuid.uuid4()}.bin", age_hours=2)  # a client never saved

        lines = actions.purge_orphan_files(now=self.now)

        self.assertEqual(lines, ["removed 2 orphaned file(s)"])
        self.assertFalse(default_storage.exists(orphan))
        self.assertFalse(default_storage.exists(never_committed))
        for name in (kept, young, other_kind):
            self.assertTrue(default_storage.exists(name), name)

    def test_a_dry_run_removes_nothing(self):
        orphan = self.store(f"{self.own_client.public_id}/{uuid.uuid4()}.bin", age_hours=2)
        self.assertEqual(actions.purge_orphan_files(now=self.now, dry_run=True), ["would remove 1 orphaned file(s)"])
        self.assertTrue(default_storage.exists(orphan))
