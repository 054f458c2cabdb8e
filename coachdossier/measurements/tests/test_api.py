"""Measurements API: the referred therapist records a session with RR intervals and adds a
recording later; coach, client and therapist read a session's HRV analysis, its files and the
values over time; the pages' access-log entries (LAW-NEN7513); bad input 422 with field errors."""

import datetime
import math
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.api import pagination
from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.measurements import actions
from coachdossier.measurements.models import MeasurementSession
from coachdossier.test import BaseTestCase


def intervals(n=300):
    t, out = 0.0, []
    for _ in range(n):
        rr = 800 + 40 * math.sin(2 * math.pi * 0.25 * t)
        out.append(round(rr))
        t += rr / 1000
    return out


class ReferredTestCase(BaseTestCase):
    """The therapist is referred to Carla."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist,
                                          now=cls.now)


class MeasurementApiTestCase(ReferredTestCase):

    def url(self):
        return f"/api/measurements/clients/{self.own_client.public_id}/sessions"

    def test_the_therapist_records_a_session_with_rr_intervals(self):
        self.login(self.therapist)
        response = self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest",
                                                 "values": {"breathing_rate_per_min": 9},
                                                 "rr_intervals_ms": intervals()}, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertAlmostEqual(body["hrv"]["time"]["mean_hr_bpm"], 75, delta=1)
        self.assertIsNotNone(body["hrv"]["frequency"])
        self.login(self.coach)
        listed = self.client.get(self.url())
        self.assertEqual(listed.status_code, 200)
        self.assertEqual(len(listed.json()["results"]), 1)

    def test_out_of_range_intervals_are_refused_with_422(self):
        self.login(self.therapist)
        response = self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest",
                                                 "rr_intervals_ms": [100] * 50 + [800] * 50},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(list(response.json()["errors"]), ["rr_intervals_ms"])
        self.assertFalse(MeasurementSession.objects.exists())

    def test_the_coach_cannot_record_and_a_stranger_gets_404(self):
        self.login(self.coach)
        self.assertEqual(self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest"},
                                          content_type="application/json").status_code, 403)
        self.login(self.other_coach)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_a_future_date_is_422_under_the_operations_own_field_name(self):
        self.login(self.therapist)
        response = self.client.post(self.url(), {"date": "2026-12-31", "protocol": "rest", "conclusions": "Rustig."},
                                    content_type="application/json")
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["date"]))


def rr_upload(n=300):
    return SimpleUploadedFile("polar.txt", "\n".join(str(v) for v in intervals(n)).encode())


class MeasurementApiParityTests(ReferredTestCase):
    """The measurement pages' capabilities in the API, with their access-log entries."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.session = actions.record_session(actor=cls.therapist, client=cls.own_client, measured_on=cls.now.date(),
                                             protocol="rest", values={"heart_rate_bpm": 70}, conclusions="Rustig.",
                                             report=SimpleUploadedFile("rapport.pdf", DEMO_PDF), now=cls.now)

    def url(self, suffix=""):
        return f"/api/measurements/clients/{self.own_client.public_id}/sessions/{self.session.public_id}{suffix}"

    def logged_since(self, seq):
        return [(e.action, e.object_ref) for e in AccessLogEntry.objects.filter(
            seq__gt=seq, client_ref=self.own_client.public_id)]

    def last_seq(self):
        return AccessLogEntry.objects.last().seq

    def test_the_therapist_adds_an_rr_recording_and_the_coach_reads_its_analysis(self):
        self.login(self.therapist)
        before = self.last_seq()
        response = self.client.post(self.url("/rr"), {"rr_file": rr_upload()})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["has_rr_file"])
        self.assertEqual(self.logged_since(before), [("measurement.import_rr", str(self.session.public_id))])
        self.login(self.coach)
        before = self.last_seq()
        body = self.client.get(self.url()).json()
        self.assertAlmostEqual(body["hrv"]["time"]["mean_hr_bpm"], 75, delta=1)
        self.assertEqual(len(body["tachogram"]["x"]), len(body["tachogram"]["y"]))
        self.assertEqual((body["tachogram"]["y_unit"], body["has_device_report"]), ("ms", True))
        self.assertEqual(self.logged_since(before), [("measurements.read", str(self.session.public_id))])

    def test_an_unreadable_rr_file_is_422_naming_the_file_and_the_session_keeps_what_it_had(self):
        self.login(self.therapist)
        response = self.client.post(self.url("/rr"), {"rr_file": SimpleUploadedFile("rr.txt", b"hello\nworld\n")})
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(list(response.json()["errors"]), ["rr_file"])
        self.session.refresh_from_db()
        self.assertEqual(self.session.rr_storage_name, "")

    def test_gc_9_1_only_the_referred_therapist_uploads_the_coach_is_403_and_a_stranger_404(self):
        for user, status in ((self.coach, 403), (self.management, 403), (self.other_coach, 404)):
            self.login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.post(self.url("/rr"), {"rr_file": rr_upload()}).status_code, status)

    def test_the_device_report_downloads_for_the_client_and_the_download_is_logged(self):
        self.login(self.client_user)
        before = self.last_seq()
        response = self.client.get(self.url("/report"))
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "application/pdf"))
        self.assertEqual(response.content, DEMO_PDF)
        self.assertIn("rapport.pdf", response["Content-Disposition"])  # as the page: the file's own name
        self.assertEqual(self.logged_since(before), [("measurements.download", str(self.session.public_id))])

    def test_a_session_without_an_rr_file_has_none_to_download(self):
        self.login(self.coach)
        self.assertEqual(self.client.get(self.url("/rr")).status_code, 404)

    def trends(self, suffix="", **params):
        return self.client.get(f"/api/measurements/clients/{self.own_client.public_id}/trends{suffix}", params)

    def test_the_trends_list_each_quantity_with_its_unit_and_how_many_points_it_has(self):
        actions.record_session(actor=self.therapist, client=self.own_client, measured_on=self.now.date(),
                               protocol="rest", values={"heart_rate_bpm": 64}, now=self.now)
        self.login(self.client_user)
        response = self.trends()
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), [{"key": "heart_rate_bpm", "title": "Heart rate", "unit": "bpm", "count": 2}])

    def test_a_quantitys_points_come_a_page_at_a_time_newest_first_so_years_of_them_are_no_one_answer(self):
        """A client with years of HRV measurements got every point in one response."""
        for days, value in ((3, 61), (2, 62), (1, 63)):
            actions.record_session(actor=self.therapist, client=self.own_client, protocol="rest",
                                   measured_on=self.now.date() - datetime.timedelta(days=days),
                                   values={"heart_rate_bpm": value, "rmssd_ms": 40}, now=self.now)
        self.login(self.coach)
        before = self.last_seq()
        with mock.patch.object(pagination, "PAGE_SIZE", 3):
            first, second = self.trends("/heart_rate_bpm"), self.trends("/heart_rate_bpm", page=2)
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual((first.json()["count"], first.json()["page"]), (4, 1))
        self.assertEqual([p["value"] for p in first.json()["results"]], [70, 63, 62])
        self.assertEqual([p["value"] for p in second.json()["results"]], [61])
        self.assertEqual(self.logged_since(before), [("measurements.read", "")] * 2)

    def test_a_key_that_is_no_quantity_is_404_and_one_never_measured_an_empty_page(self):
        self.login(self.coach)
        self.assertEqual(self.trends("/blood_type").status_code, 404)
        self.assertEqual(self.trends("/sdnn_ms").json(), {"count": 0, "page": 1, "results": []})

    def test_the_therapists_caseload_lists_her_referred_clients_each_logged(self):
        self.login(self.therapist)
        before = self.last_seq()
        response = self.client.get("/api/measurements/clients")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual([(c["reference"], c["sessions"]) for c in response.json()], [(self.own_client.reference, 1)])
        self.assertEqual(self.logged_since(before), [("measurements.list", "")])
        self.login(self.coach)
        self.assertEqual(self.client.get("/api/measurements/clients").status_code, 403)
