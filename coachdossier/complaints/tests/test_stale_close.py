"""KR-3.5: a close form chosen on what the page showed, after someone else took a step, closes
nothing and says what happened."""

import datetime
import json
import re

from django.urls import reverse

from coachdossier.complaints import actions
from coachdossier.complaints.models import Status

from .test_actions import ComplaintsTestCase

D = datetime.date


class TestStaleCloseForm(ComplaintsTestCase):
    def setUp(self):
        super().setUp()
        # An umbrella case whose ruling is in: it can close as withdrawn until the ruling went out.
        self.complaint = self.lodge(received=D(2026, 11, 20), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        actions.record_ruling(actor=self.outsider, complaint=self.complaint, now=self.now, ruling="founded",
                              ruling_on=D(2026, 11, 21))
        self.url = reverse("complaints:detail", args=[self.complaint.public_id])
        self.login(self.outsider)

    def seen(self, page):
        [value] = re.findall(r'name="seen" value="([^"]*)"', page.content.decode())
        return value

    def close(self, seen, outcome="withdrawn"):
        return self.client.post(reverse("complaints:step", args=[self.complaint.public_id, "close"]),
                                {"outcome": outcome, "note": "", "seen": seen})

    def test_kr_3_5_a_close_form_from_before_someone_else_sent_the_ruling_closes_nothing_and_says_so(self):
        seen = self.seen(self.client.get(self.url))
        actions.communicate_ruling(actor=self.management, complaint=self.complaint, now=self.now)
        response = self.close(seen)
        self.assertContains(response, "This step was not saved:")
        self.assertContains(response, "This complaint changed after you opened the page: Ruling communicated by "
                                      "Mia Directie on ")
        self.assertContains(response, "Nothing was saved; check the case and choose again.")
        self.complaint.refresh_from_db()
        self.assertEqual((self.complaint.status, self.complaint.outcome), (Status.REGISTERED, ""))
        # The form on that page is up to date: sent again, it is the closer's choice now.
        self.assertRedirects(self.close(self.seen(response), outcome="ruling"), self.url)
        self.complaint.refresh_from_db()
        self.assertEqual(self.complaint.outcome, "ruling")

    def test_kr_3_5_a_complaint_someone_else_closed_meanwhile_keeps_their_outcome_and_the_page_says_who(self):
        seen = self.seen(self.client.get(self.url))
        actions.close_complaint(actor=self.management, complaint=self.complaint, now=self.now, outcome="withdrawn")
        response = self.close(seen, outcome="withdrawn")
        self.assertContains(response, "Closed by Mia Directie on ")
        self.assertContains(response, "(Withdrawn by the complainant)")
        self.assertEqual(self.complaint.events.filter(kind="closed").count(), 1)

    def test_kr_3_5_an_outcome_the_case_cannot_close_with_is_refused_with_the_reason_not_as_an_unknown_choice(self):
        response = self.close(self.seen(self.client.get(self.url)), outcome="satisfied")
        self.assertContains(response, "Record the aftercare call in which the complainant said they were satisfied.")
        self.assertNotContains(response, "not one of the available choices")

    def test_kr_3_5_the_api_refuses_a_stale_close_with_what_happened(self):
        seen = self.client.get(f"/api/complaints/{self.complaint.public_id}").json()["last_event"]
        actions.communicate_ruling(actor=self.management, complaint=self.complaint, now=self.now)
        response = self.client.post(f"/api/complaints/{self.complaint.public_id}/close",
                                    json.dumps({"outcome": "withdrawn", "seen": seen}),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 422)
        self.assertIn("Ruling communicated by Mia Directie", str(response.json()["errors"]))
        self.complaint.refresh_from_db()
        self.assertEqual(self.complaint.status, Status.REGISTERED)
