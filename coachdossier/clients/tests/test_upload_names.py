"""File names are kept whole to the character (GC-6.6: what the dossier holds stays readable).
A name is stored sealed, cut to 255 bytes of UTF-8; a cut inside a character ("ş" is two
bytes) left a name that no longer decoded, and every page listing the file failed."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import Attachment
from coachdossier.clients.uploads import NAME_BYTES, shown_name, stored_name
from coachdossier.complaints import actions as complaint_actions
from coachdossier.complaints.models import Document
from coachdossier.measurements.models import MeasurementSession
from coachdossier.test import BaseTestCase

LONG_TURKISH = "ş" * 200 + ".pdf"  # 404 bytes: a cut at 255 falls inside the 128th "ş"


class StoredNameTestCase(SimpleTestCase):
    @given(st.text(max_size=400))
    def test_any_name_is_kept_in_255_bytes_that_decode_and_unchanged_when_it_fits(self, name):
        kept = stored_name(name)
        self.assertLessEqual(len(kept), NAME_BYTES)
        text = kept.decode("utf-8")  # strict: never half a character
        if len(name.encode()) <= NAME_BYTES:
            self.assertEqual(text, name)
        else:
            self.assertTrue(name.startswith(text.rsplit(".", 1)[0]))

    def test_a_long_name_keeps_its_extension_and_whole_characters(self):
        kept = stored_name(LONG_TURKISH).decode()
        self.assertEqual(kept, "ş" * 125 + ".pdf")
        self.assertEqual(stored_name("x" * 300), b"x" * 255)

    def test_a_name_stored_before_the_fix_is_shown_with_a_replacement_character_not_an_error(self):
        self.assertEqual(shown_name(LONG_TURKISH.encode()[:255]), "ş" * 127 + "\N{REPLACEMENT CHARACTER}")


class LongNamesOnEveryUploadPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist,
                                          now=cls.now)
        cls.complaint = complaint_actions.lodge_complaint(
            actor=cls.client_user, now=cls.now, channel="portal", subject="service", category="planning",
            description="Afspraken werden vaak verzet.", client=cls.own_client)
        complaint_actions.register_complaint(actor=cls.outsider, complaint=cls.complaint, now=cls.now)

    def test_gc_6_6_a_long_turkish_file_name_is_saved_and_the_pages_listing_it_still_open(self):
        own = self.own_client.public_id
        pages = [
            (self.coach, reverse("clients:entry_new", args=[own]), "files",
             {"kind": "fact", "occurred_on": "2026-11-20", "title": "Brief", "text": "Zie bijlage."},
             lambda: Attachment.objects.get().filename, lambda: reverse("clients:detail", args=[own])),
            (self.therapist, reverse("measurements:session_new", args=[own]), "report",
             {"measured_on": "2026-11-20", "protocol": "rest", "breathing_rate_per_min": "12"},
             lambda: MeasurementSession.objects.get().report_filename,
             lambda: reverse("measurements:session", args=[own, MeasurementSession.objects.get().public_id])),
            (self.outsider, reverse("complaints:step", args=[self.complaint.public_id, "document"]), "file", {},
             lambda: Document.objects.get().name,
             lambda: reverse("complaints:detail", args=[self.complaint.public_id])),
        ]
        for user, url, field, data, name, listing in pages:
            with self.subTest(url=url):
                self.login(user)
                response = self.client.post(url, {**data, field: SimpleUploadedFile(LONG_TURKISH, DEMO_PDF)})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(name(), "ş" * 125 + ".pdf")
                self.assertContains(self.client.get(listing()), "ş" * 125 + ".pdf")
