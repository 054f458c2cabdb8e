"""Bad uploads through every page that takes a file: wrong type under a right name, zero bytes,
over the limit, a zip bomb, a PDF with JavaScript. Each is refused with a clear message at the
file field, and nothing is stored: no row, no file in the attachments directory."""

import io
import os
import zipfile

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import Attachment, DossierEntry
from coachdossier.clients.tests.test_upload_names import LONG_TURKISH
from coachdossier.complaints import actions as complaint_actions
from coachdossier.complaints.models import Document
from coachdossier.measurements.models import MeasurementSession
from coachdossier.test import BaseTestCase

LIMIT = 64 * 1024


def zip_bomb() -> bytes:
    """A 'Word document' whose body unpacks to 20 MB of zeros (a few kB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


PDF_WITH_JAVASCRIPT = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> "
                       b">>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 200 + b"PE\0\0" + b"\0" * 300

# name → (file name, bytes, what the message at the field says)
BAD_FILES = {
    "wrong type under a right name": ("verslag.pdf", EXECUTABLE, "This type of file is not accepted"),
    "zero bytes": ("leeg.pdf", b"", "empty"),
    "over the limit": ("groot.pdf", DEMO_PDF + b"%" + b"x" * LIMIT + b"\n", "larger than"),
    "zip bomb": ("verslag.docx", zip_bomb(), "zip bomb"),
    "PDF with JavaScript": ("brief.pdf", PDF_WITH_JAVASCRIPT, "contains scripts"),
}


def stored_files() -> set[str]:
    root = default_storage.location  # type: ignore[attr-defined]  # FileSystemStorage (settings.STORAGES)
    found = set()
    for directory, _dirs, files in os.walk(root):
        found |= {os.path.join(directory, name) for name in files}
    return found


@override_settings(MAX_ATTACHMENT_BYTES=LIMIT)
class BadUploadsAreRefusedTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist,
                                          now=cls.now)
        cls.complaint = complaint_actions.lodge_complaint(
            actor=cls.client_user, now=cls.now, channel="portal", subject="service", category="planning",
            description="Afspraken werden vaak verzet.", client=cls.own_client)
        complaint_actions.register_complaint(actor=cls.outsider, complaint=cls.complaint, now=cls.now)

    def pages(self):
        """(name, user, url, form data without the file, file field, rows that must not grow)."""
        own = self.own_client.public_id
        return [
            ("dossier entry", self.coach, reverse("clients:entry_new", args=[own]),
             {"kind": "fact", "occurred_on": "2026-11-20", "title": "Brief", "text": "Zie bijlage."}, "files",
             [DossierEntry.objects, Attachment.objects]),
            ("measurements report", self.therapist, reverse("measurements:session_new", args=[own]),
             {"measured_on": "2026-11-20", "protocol": "rest", "breathing_rate_per_min": "12"}, "report",
             [MeasurementSession.objects, Attachment.objects]),
            ("complaint document", self.outsider,
             reverse("complaints:step", args=[self.complaint.public_id, "document"]), {}, "file",
             [Document.objects]),
        ]

    def test_each_bad_file_is_refused_at_the_field_and_nothing_is_stored(self):
        """GC-2.3: uploads are checked on their content; a refusal stores nothing."""
        for page, user, url, data, field, tables in self.pages():
            self.login(user)
            for case, (filename, content, message) in BAD_FILES.items():
                with self.subTest(page=page, case=case):
                    files_before, rows_before = stored_files(), [t.count() for t in tables]
                    response = self.client.post(url, {**data, field: SimpleUploadedFile(filename, content)})
                    self.assertEqual(response.status_code, 200, f"{page}: {case}")
                    form = response.context["form"]
                    errors = " ".join(str(e) for e in form.errors.get(field, []))
                    self.assertIn(message, errors, f"{page}: {case}: {form.errors}")
                    self.assertContains(response, 'class="errorlist"')
                    self.assertEqual(stored_files(), files_before, f"{page}: {case} left a file")
                    self.assertEqual([t.count() for t in tables], rows_before, f"{page}: {case} left a row")

    def test_a_good_file_passes_on_each_page_so_the_refusals_are_about_the_file(self):
        for page, user, url, data, field, _tables in self.pages():
            self.login(user)
            with self.subTest(page=page):
                files_before = stored_files()
                response = self.client.post(url, {**data, field: SimpleUploadedFile("goed.pdf", DEMO_PDF)})
                errors = response.context["form"].errors if response.status_code == 200 else None
                self.assertEqual(response.status_code, 302, f"{page}: {errors}")
                self.assertGreater(len(stored_files() - files_before), 0)

    def test_gc_6_6_a_long_turkish_file_name_is_saved_whole_to_the_character_and_the_page_listing_it_opens(self):
        """A name cut to 255 bytes inside a character ("ş" is two) no longer decoded, and every
        page listing the file failed (clients/tests/test_upload_names.py)."""
        own = self.own_client.public_id
        kept = {  # page → (the stored name, the page that lists the file)
            "dossier entry": (lambda: Attachment.objects.get().filename,
                              lambda: reverse("clients:detail", args=[own])),
            "measurements report": (lambda: MeasurementSession.objects.get().report_filename,
                                    lambda: reverse("measurements:session",
                                                    args=[own, MeasurementSession.objects.get().public_id])),
            "complaint document": (lambda: Document.objects.get().name,
                                   lambda: reverse("complaints:detail", args=[self.complaint.public_id])),
        }
        for page, user, url, data, field, _tables in self.pages():
            name, listing = kept[page]
            with self.subTest(page=page):
                self.login(user)
                response = self.client.post(url, {**data, field: SimpleUploadedFile(LONG_TURKISH, DEMO_PDF)})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(name(), "ş" * 125 + ".pdf")
                self.assertContains(self.client.get(listing()), "ş" * 125 + ".pdf")
