"""PR-R4: the hand-over package for UWV at the end of a UWV trajectory."""

import datetime
import hashlib
import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.privacy import actions, handover
from coachdossier.privacy.tests.base import PrivacyTestCase


class HandoverTests(PrivacyTestCase):
    def setUp(self):
        super().setUp()
        self.trajectory = self.other_client.current_trajectory  # Daan's trajectory for UWV
        client_actions.add_entry(actor=self.other_coach, client=self.other_client, kind=EntryKind.NOTE,
                                 occurred_on=self.now.date(), title="Eindgesprek", text="Afronding van het traject.",
                                 now=self.now, files=[SimpleUploadedFile("eindverslag.pdf", DEMO_PDF)])

    def close(self):
        client_actions.close_trajectory(actor=self.management, trajectory=self.trajectory, now=self.now)

    def test_pr_r4_the_package_holds_export_pdf_attachments_and_a_manifest_of_checksums(self):
        self.close()
        item = actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                       now=self.now)
        package = actions.read_handover(item)
        self.assertEqual(hashlib.sha256(package).hexdigest(), item.sha256)
        archive = zipfile.ZipFile(io.BytesIO(package))
        manifest = json.loads(archive.read("manifest.json"))
        self.assertEqual(manifest["uwv_order_number"], "UWV-123")
        names = set(archive.namelist()) - {"manifest.json"}
        self.assertEqual(set(manifest["files"]), names)
        for name in names:
            self.assertEqual(hashlib.sha256(archive.read(name)).hexdigest(), manifest["files"][name])
        self.assertIn("export.json", names)
        self.assertTrue(archive.read("dossier.pdf").startswith(b"%PDF"))
        self.assertIn(DEMO_PDF, [archive.read(n) for n in names if n.startswith("attachments/")])
        export = json.loads(archive.read("export.json"))
        self.assertIn("Afronding van het traject.", json.dumps(export, ensure_ascii=False))
        self.assertEqual(item.file_count, len(names))
        self.assertTrue(AccessLogEntry.objects.filter(action="handover.create", client_ref=self.other_client.public_id)
                        .exists())

    def test_pr_r4_the_package_is_sealed_at_rest(self):
        self.close()
        item = actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                       now=self.now)
        from django.core.files.storage import default_storage

        with default_storage.open(item.storage_name, "rb") as fh:
            self.assertNotIn(b"export.json", fh.read())

    def test_pr_r4_only_a_closed_uwv_trajectory_is_handed_over(self):
        with self.assertRaises(ValidationError) as ctx:
            actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                    now=self.now)
        self.assertIn("Close the trajectory first", str(ctx.exception))
        employer_trajectory = self.own_client.current_trajectory
        client_actions.close_trajectory(actor=self.management, trajectory=employer_trajectory, now=self.now)
        with self.assertRaises(ValidationError) as ctx:
            actions.create_handover(actor=self.management, client=self.own_client, trajectory=employer_trajectory,
                                    now=self.now)
        self.assertIn("Only a UWV trajectory", str(ctx.exception))

    def test_pr_r4_the_delivery_is_logged_and_shows_in_the_clients_copy(self):
        self.close()
        item = actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                       now=self.now)
        with self.assertRaises(ValidationError):
            actions.record_handover_delivery(actor=self.management, item=item, delivered_on=self.now.date()
                                             + datetime.timedelta(days=1), method="portal", recipient="", now=self.now)
        actions.record_handover_delivery(actor=self.management, item=item, delivered_on=self.now.date(),
                                         method="UWV-portaal", recipient="Arbeidsdeskundige", now=self.now)
        item.refresh_from_db()
        self.assertEqual(item.delivery["method"], "UWV-portaal")
        self.assertTrue(AccessLogEntry.objects.filter(action="handover.deliver").exists())
        key, rows = handover.export_section(self.other_client)
        self.assertEqual(key, "uwv_handovers")
        self.assertEqual(rows[0]["sha256"], item.sha256)
        self.assertIsNotNone(rows[0]["delivered_at"])

    def test_management_makes_downloads_and_records_the_delivery_in_the_ui(self):
        self.close()
        self.login(self.management)
        url = reverse("privacy:handover", args=[self.other_client.public_id])
        self.assertContains(self.client.get(reverse("privacy:handovers")), self.other_client.reference)
        self.assertRedirects(self.client.post(url, {"trajectory": str(self.trajectory.public_id)}), url)
        item = self.other_client.handovers.get()
        download = self.client.get(reverse("privacy:handover_download", args=[self.other_client.public_id,
                                                                               item.public_id]))
        self.assertEqual(hashlib.sha256(download.content).hexdigest(), item.sha256)
        deliver = reverse("privacy:handover_deliver", args=[self.other_client.public_id, item.public_id])
        self.assertEqual(self.client.post(deliver, {"delivered_on": "2026-11-23", "method": ""}).status_code, 200)
        self.assertRedirects(self.client.post(deliver, {"delivered_on": "2026-11-23", "method": "Beveiligde mail"}),
                             url)

    def test_destroying_the_client_removes_the_package(self):
        self.close()
        actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                now=self.now)
        with self.captureOnCommitCallbacks(execute=True):
            client_actions.destroy_client(actor=self.management, client=self.other_client, now=self.now, reason="x")
        from coachdossier.privacy.models import Handover

        self.assertFalse(Handover.objects.exists())


class HandoverOverviewTests(PrivacyTestCase):
    """PR-R4: which closed UWV trajectories still wait for their package or its delivery, on the
    page and through the API alike, each listed dossier in the access log (LAW-NEN7513)."""

    def setUp(self):
        super().setUp()
        self.trajectory = self.other_client.current_trajectory  # Daan's trajectory for UWV

    def close(self):
        client_actions.close_trajectory(actor=self.management, trajectory=self.trajectory, now=self.now)

    def test_pr_r4_the_api_lists_the_closed_uwv_trajectories_with_their_package_and_delivery(self):
        self.close()
        self.login(self.management)
        rows = self.client.get("/api/privacy/handovers").json()
        self.assertEqual(rows, [{"client_id": str(self.other_client.public_id), "reference": self.other_client.reference,
                                 "trajectory_id": str(self.trajectory.public_id), "uwv_order_number": "UWV-123",
                                 "closed_on": self.now.date().isoformat(), "handover": None}])
        item = actions.create_handover(actor=self.management, client=self.other_client, trajectory=self.trajectory,
                                       now=self.now)
        listed = self.client.get("/api/privacy/handovers").json()[0]["handover"]
        self.assertEqual((listed["id"], listed["delivered_at"]), (str(item.public_id), None))

    def test_pr_r4_only_management_reads_the_overview(self):
        for persona in (self.coach, self.auditor, self.client_user):
            self.login(persona)
            self.assertEqual(self.client.get("/api/privacy/handovers").status_code, 403)

    def test_nen_7513_the_page_and_the_api_log_each_listed_dossier(self):
        self.close()
        self.login(self.management)
        for url in (reverse("privacy:handovers"), "/api/privacy/handovers"):
            before = AccessLogEntry.objects.filter(action="handover.list").count()
            self.client.get(url)
            logged = AccessLogEntry.objects.filter(action="handover.list")
            self.assertEqual(logged.count(), before + 1)
            self.assertEqual(logged.last().client_ref, self.other_client.public_id)
