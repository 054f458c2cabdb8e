"""GC-9.1: the biofeedback therapist sees only referred clients, and of those only the
measurement section; recording sessions and importing RR files through the pages."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.measurements import actions
from coachdossier.measurements.models import MeasurementSession
from coachdossier.test import BaseTestCase

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def long_rr(n=400, mean=800.0):
    import math

    values, t = [], 0.0
    for _i in range(n):
        rr = mean + 40 * math.sin(2 * math.pi * 0.25 * t) + 25 * math.sin(2 * math.pi * 0.1 * t)
        values.append(f"{rr:.0f}")
        t += rr / 1000
    return "\n".join(values).encode()


class ReferredTherapistTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.referral = client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client,
                                                         therapist=cls.therapist, now=cls.now)

    def setUp(self):
        super().setUp()
        self.login(self.therapist)

    def test_the_caseload_lists_only_referred_clients(self):
        response = self.client.get(reverse("measurements:caseload"))
        self.assertContains(response, self.own_client.reference)
        self.assertNotContains(response, self.other_client.reference)

    def test_the_caseload_runs_the_same_number_of_queries_for_more_clients(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(reverse("measurements:caseload"))  # the first request also records the session
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("measurements:caseload"))
        for first in ("Eva", "Finn"):
            other = client_actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                                   personal=type(self.own_client.personal)(first_name=first,
                                                                                           last_name="Test"))
            client_actions.refer_to_therapist(actor=self.coach, client=other, therapist=self.therapist, now=self.now)
        with CaptureQueriesContext(connection) as three:
            response = self.client.get(reverse("measurements:caseload"))
        self.assertContains(response, "Finn Test")
        self.assertEqual(len(three), len(one))

    def test_the_therapist_gets_404_on_the_dossier_even_with_a_referral(self):
        """GC-9.1: no notes, no reports, no personal data beyond the name."""
        for name, kwargs in [("clients:detail", {}), ("clients:personal_edit", {}), ("clients:entry_new", {})]:
            response = self.client.get(reverse(name, kwargs={"client_id": self.own_client.public_id, **kwargs}))
            self.assertEqual(response.status_code, 404 if name == "clients:detail" else 403, name)

    def test_the_therapist_gets_404_on_questionnaires_even_with_a_referral(self):
        response = self.client.get(reverse("questionnaires:send", args=[self.own_client.public_id]))
        self.assertEqual(response.status_code, 403)  # the page is for coaches only

    def test_the_measurement_page_shows_the_name_and_nothing_personal(self):
        response = self.client.get(reverse("measurements:client", args=[self.own_client.public_id]))
        self.assertContains(response, "Carla de Vries")
        self.assertNotContains(response, "carla@example.com")
        self.assertNotContains(response, "Terug naar werk")  # the goal

    def test_a_session_with_values_report_and_rr_file_is_recorded_and_charted(self):
        response = self.client.post(reverse("measurements:session_new", args=[self.own_client.public_id]), {
            "measured_on": "2026-11-20", "protocol": "rest", "breathing_rate_per_min": "11.5",
            "skin_conductance_us": "5.2", "conclusions": "Ontspannen.",
            "report": SimpleUploadedFile("rapport.pdf", DEMO_PDF),
            "rr_file": SimpleUploadedFile("rr.txt", long_rr()),
        })
        session = MeasurementSession.objects.get()
        self.assertRedirects(response, reverse("measurements:session", args=[self.own_client.public_id,
                                                                             session.public_id]))
        self.assertEqual(session.values["breathing_rate_per_min"], 11.5)
        self.assertIn("rmssd_ms", session.values)  # filled from the RR analysis
        self.assertEqual(session.conclusions, "Ontspannen.")
        self.assertNotIn(b"Ontspannen", bytes(session.conclusions_sealed))
        page = self.client.get(response["Location"])
        self.assertContains(page, "<svg", count=4)  # tachogram and power spectrum, each wide and for a phone
        self.assertContains(page, "<title id=\"tacho-")
        self.assertLessEqual(len(page.context["charts"]["tachogram_rows"]), 40)  # the table fallback
        self.assertContains(page, "RMSSD")
        download = self.client.get(reverse("measurements:report", args=[self.own_client.public_id,
                                                                        session.public_id]))
        self.assertEqual(download.content, DEMO_PDF)
        self.assertTrue(AccessLogEntry.objects.filter(action="measurements.download",
                                                      client_ref=self.own_client.public_id).exists())

    def test_a_file_that_is_not_numbers_is_refused_next_to_the_field_and_nothing_is_saved(self):
        response = self.client.post(reverse("measurements:session_new", args=[self.own_client.public_id]), {
            "measured_on": "2026-11-20", "protocol": "rest", "heart_rate_bpm": "70",
            "rr_file": SimpleUploadedFile("rr.txt", b"hello\nworld\n"),
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn("rr_file", response.context["form"].errors)
        self.assertFalse(MeasurementSession.objects.exists())

    def test_gc_9_1_an_unreadable_rr_file_is_explained_in_dutch_and_only_once(self):
        """GC-9.1: the therapist read an English parser message, and 'enter at least one value, an RR
        file or a conclusion' beside the RR file she had just given."""
        with override_settings(LANGUAGE_CODE="nl"):
            response = self.client.post(reverse("measurements:session_new", args=[self.own_client.public_id]), {
                "measured_on": "2026-11-20", "protocol": "rest",
                "rr_file": SimpleUploadedFile("rr.txt", b"hello\nworld\n")})
        self.assertEqual(response.context["form"].errors["rr_file"], [
            "Dit is geen RR-intervalbestand dat we kunnen lezen: regel 1 is geen getal, en geen kolom heet rr, "
            "rri, rr_ms, interval of ibi."])
        self.assertFalse(response.context["form"].non_field_errors())
        self.assertFalse(MeasurementSession.objects.exists())

    def test_one_bad_line_in_an_rr_file_is_named_in_the_singular(self):
        """The therapist read "regel(s) 3 bevatten geen getal"; one line is "regel 3 bevat", two "regels"."""
        url = reverse("measurements:session_new", args=[self.own_client.public_id])
        errors = []
        for data in (b"800\n810\nabc\n790\n", b"800\nx\n810\ny\n790\n"):
            with override_settings(LANGUAGE_CODE="nl"):
                response = self.client.post(url, {"measured_on": "2026-11-20", "protocol": "rest",
                                                  "rr_file": SimpleUploadedFile("rr.txt", data)})
            errors += response.context["form"].errors["rr_file"]
        self.assertIn("regel 3 bevat geen getal.", errors[0])
        self.assertIn("regels 2, 4 bevatten geen getal.", errors[1])

    def test_a_device_report_that_is_not_a_pdf_is_refused_and_no_file_is_left(self):
        import os

        from django.conf import settings

        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        storage = settings.STORAGES["default"]["OPTIONS"]["location"]
        before = sum(len(files) for _, _, files in os.walk(storage)) if os.path.isdir(storage) else 0
        response = self.client.post(reverse("measurements:session_new", args=[self.own_client.public_id]), {
            "measured_on": "2026-11-20", "protocol": "rest", "heart_rate_bpm": "70",
            "report": SimpleUploadedFile("rapport.png", png),
            "rr_file": SimpleUploadedFile("rr.txt", long_rr())})
        self.assertIn("report", response.context["form"].errors)
        self.assertFalse(MeasurementSession.objects.exists())
        after = sum(len(files) for _, _, files in os.walk(storage)) if os.path.isdir(storage) else 0
        self.assertEqual(after, before)

    def test_a_heart_rate_out_of_range_is_refused(self):
        response = self.client.post(reverse("measurements:session_new", args=[self.own_client.public_id]), {
            "measured_on": "2026-11-20", "protocol": "rest", "heart_rate_bpm": "400"})
        self.assertIn("heart_rate_bpm", response.context["form"].errors)
        self.assertFalse(MeasurementSession.objects.exists())

    def test_an_rr_file_is_imported_into_an_existing_session(self):
        session = actions.record_session(actor=self.therapist, client=self.own_client, measured_on=self.now.date(),
                                         protocol="rest", values={"heart_rate_bpm": 70}, now=self.now)
        url = reverse("measurements:upload_rr", args=[self.own_client.public_id, session.public_id])
        response = self.client.post(url, {"rr_file": SimpleUploadedFile(
            "polar.txt", (SAMPLES / "polar-sensor-logger-rr.txt").read_bytes())})
        self.assertEqual(response.status_code, 302)
        session.refresh_from_db()
        self.assertEqual(session.hrv["source_format"], "polar-sensor-logger")
        self.assertIsNone(session.hrv["result"]["frequency"])  # 40 beats: too short, time domain only
        page = self.client.get(reverse("measurements:session", args=[self.own_client.public_id, session.public_id]))
        self.assertContains(page, "shorter than 2 minutes")  # says why there is no frequency domain

    def test_after_the_referral_ends_the_therapist_sees_nothing(self):
        client_actions.end_referral(actor=self.coach, referral=self.referral, now=self.now)
        response = self.client.get(reverse("measurements:client", args=[self.own_client.public_id]))
        self.assertEqual(response.status_code, 404)


class CoachAndClientSeeMeasurementsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.session = actions.record_session(actor=cls.therapist, client=cls.own_client, measured_on=cls.now.date(),
                                             protocol="rest", values={"heart_rate_bpm": 72, "rmssd_ms": 31},
                                             conclusions="Goed herstel.", now=cls.now)

    def test_the_coach_sees_measurements_over_time_on_the_client_page(self):
        self.login(self.coach)
        response = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "measurements"]))
        self.assertContains(response, "Biofeedback")
        self.assertContains(response, 'role="img"')

    def test_the_measurement_page_runs_the_same_number_of_queries_for_more_sessions(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.coach)
        url = reverse("measurements:client", args=[self.own_client.public_id])
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        for hr in (70, 68):
            actions.record_session(actor=self.therapist, client=self.own_client, measured_on=self.now.date(),
                                   protocol="rest", values={"heart_rate_bpm": hr}, now=self.now)
        with CaptureQueriesContext(connection) as three:
            self.client.get(url)
        self.assertEqual(len(three), len(one))

    def test_the_client_reads_their_own_measurement_but_cannot_record_one(self):
        self.login(self.client_user)
        url = reverse("measurements:session", args=[self.own_client.public_id, self.session.public_id])
        self.assertContains(self.client.get(url), "Goed herstel.")
        new = self.client.get(reverse("measurements:session_new", args=[self.own_client.public_id]))
        self.assertEqual(new.status_code, 403)

    def test_the_summary_for_reports_is_json_able(self):
        import json

        from coachdossier.measurements import summary

        data = summary.for_client(self.own_client)
        json.dumps(data)
        self.assertEqual(data["measurements"][0]["values"][0], {"key": "heart_rate_bpm", "value": 72.0, "unit": "bpm"})

    def test_destroying_the_client_removes_measurements_and_files(self):
        from django.core.files.storage import default_storage

        with self.captureOnCommitCallbacks(execute=True):
            session = actions.record_session(actor=self.therapist, client=self.own_client,
                                             measured_on=self.now.date(), protocol="rest", values={},
                                             conclusions="x", report=SimpleUploadedFile("r.pdf", DEMO_PDF),
                                             now=self.now)
        name = session.report_storage_name
        self.assertTrue(default_storage.exists(name))
        with self.captureOnCommitCallbacks(execute=True):
            client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now,
                                          reason="Bewaartermijn verstreken")
        self.assertFalse(MeasurementSession.objects.exists())
        self.assertFalse(default_storage.exists(name))
