"""The demo practice shows questionnaire series and measurement series with charts."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from coachdossier.accounts.models import User
from coachdossier.clients.crypto import KeyRing
from coachdossier.measurements.models import MeasurementSession
from coachdossier.questionnaires.models import Administration, Status


class DemoTestCase(TestCase):
    databases = {"default", "keys"}

    @classmethod
    def setUpTestData(cls):
        call_command("demo", stdout=StringIO())
        KeyRing.clear()

    def test_several_clients_have_an_improving_dass21_series_and_one_is_in_progress(self):
        completed = Administration.objects.filter(status=Status.COMPLETED, definition__key="dass-21")
        clients = {a.client_id for a in completed}
        self.assertGreaterEqual(len(clients), 3)
        for client_id in clients:
            series = list(completed.filter(client_id=client_id).order_by("completed_at"))
            first, last = series[0].result, series[-1].result
            total = lambda r: sum(s["score"] for s in r["subscales"])  # noqa: E731
            self.assertLess(total(last), total(first))
        self.assertTrue(Administration.objects.filter(status=Status.IN_PROGRESS).exists())
        self.assertTrue(Administration.objects.filter(status=Status.SENT).exists())

    def test_the_referred_client_has_a_measurement_series_with_rr_analysis(self):
        therapist = User.objects.get(email__startswith="therapeut@")
        sessions = MeasurementSession.objects.filter(recorded_by=therapist)
        self.assertGreaterEqual(sessions.values("client").distinct().count(), 2)
        analysed = [s for s in sessions if s.rr_storage_name]
        self.assertGreaterEqual(len(analysed), 3)
        self.assertIsNotNone(analysed[0].hrv["result"]["frequency"])
        self.client.force_login(therapist)
        response = self.client.get("/measurements/")
        self.assertContains(response, "<tr>", count=3)  # a header row and the two referred clients
