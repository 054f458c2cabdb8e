"""GC-9.1: the therapist records a measurement session; its date field works in either language."""

from django.utils import translation

from coachdossier.clients import actions as client_actions
from coachdossier.test import BaseTestCase


class MeasurementDateTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist, now=cls.now)

    def test_gc_9_1_the_new_session_form_offers_today_in_the_format_a_date_input_reads_in_dutch_and_english(self):
        self.login(self.therapist)
        for language in ("nl", "en"):
            with translation.override(language):
                self.client.cookies["django_language"] = language
                r = self.client.get(f"/measurements/client/{self.own_client.public_id}/new/")
            self.assertContains(r, f'name="measured_on" value="{self.now.date().isoformat()}"')
