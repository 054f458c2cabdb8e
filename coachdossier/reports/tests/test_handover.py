"""PR-R4: the hand-over package to UWV carries the PDFs of the reports that were sent."""

import hashlib
import io
import json
import zipfile

from coachdossier.clients import actions as client_actions
from coachdossier.privacy import actions as privacy_actions
from coachdossier.privacy import handover
from coachdossier.reports import actions, export

from .helpers import AFTER_REVIEW, ReportTestCase


class HandoverTests(ReportTestCase):
    def test_the_reports_app_registers_its_sent_pdfs_for_the_handover(self):
        self.assertIn(export.handover_files, handover.HANDOVER_FILES)

    def test_pr_r4_the_handover_zip_holds_each_sent_report_pdf_listed_with_its_sha256(self):
        """PR-R4: the exact PDF that went out, byte for byte, under reports/ and in the manifest."""
        client, coach = self.other_client, self.other_coach  # Daan's trajectory is for UWV
        sent = self.client_copy(client=client, coach=coach)
        self.send(sent, coach=coach)
        unsent = self.client_copy(client=client, coach=coach, subject="Nog niet verstuurd")
        trajectory = client.current_trajectory
        later = self.now + AFTER_REVIEW
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=later)
        item = privacy_actions.create_handover(actor=self.management, client=client, trajectory=trajectory, now=later)

        archive = zipfile.ZipFile(io.BytesIO(privacy_actions.read_handover(item)))
        manifest = json.loads(archive.read("manifest.json"))
        reports = sorted(name for name in archive.namelist() if name.startswith("reports/"))
        self.assertEqual(reports, [f"reports/{client.reference}-R{sent.number}-{sent.kind}.pdf"])
        pdf = archive.read(reports[0])
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(pdf, actions.read_sent_pdf(sent))
        self.assertEqual(manifest["files"][reports[0]], hashlib.sha256(pdf).hexdigest())
        self.assertEqual(manifest["files"][reports[0]], sent.sent_sha256)
        self.assertFalse(unsent.sent_storage_name)  # a report that never went out is not handed over
        self.assertEqual(item.file_count, len(set(archive.namelist()) - {"manifest.json"}))
