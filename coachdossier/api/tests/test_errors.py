"""Every 422 of the API has one shape, whichever router answers and whatever found the input
wrong (ninja's schema or the action behind the operation): {"detail": "The input is not valid.",
"errors": {field: [messages]}}, the `InvalidInput` of the OpenAPI document."""

from coachdossier.api.tests.test_clients_api import ApiTestCase
from coachdossier.complaints.models import Complaint
from coachdossier.privacy.models import CoachProfile


class InvalidInputTestCase(ApiTestCase):
    def assertInvalid(self, response, *fields):
        """A 422 with exactly these fields, each with at least one message."""
        self.assertEqual(response.status_code, 422, response.content)
        body = response.json()
        self.assertEqual(set(body), {"detail", "errors"})
        self.assertEqual(body["detail"], "The input is not valid.")
        self.assertEqual(sorted(body["errors"]), sorted(fields))
        for messages in body["errors"].values():
            self.assertTrue(messages and all(isinstance(m, str) and m for m in messages), body)

    def test_input_that_does_not_fit_the_schema_names_the_field_not_ninjas_location(self):
        r = self.call(self.coach, "POST", f"/api/clients/{self.own_client.public_id}/sessions", {"minutes": "lang"})
        self.assertInvalid(r, "date", "minutes", "mode")

    def test_a_bad_query_parameter_is_named_like_a_field(self):
        self.assertInvalid(self.call(self.coach, "GET", "/api/clients/?page=eerste"), "page")

    def test_a_field_inside_a_nested_object_is_named_by_its_path(self):
        body = {"subject": "service", "category": "planning", "description": "Belde boos op.", "channel": "phone",
                "name": "J. Pietersen", "phone_offer_made": True, "phone_form": {"summary": 5, "wish": "Terug"}}
        self.assertInvalid(self.call(self.outsider, "POST", "/api/complaints/", body,
                                     headers={"Idempotency-Key": "k1"}), "phone_form.summary")

    def test_an_action_refusing_the_input_gives_the_same_shape_in_every_router(self):
        complaint = {"subject": "service", "category": "costs", "description": "De factuur klopt niet.",
                     "channel": "letter", "name": "J" * 151}
        self.assertInvalid(self.call(self.outsider, "POST", "/api/complaints/", complaint,
                                     headers={"Idempotency-Key": "k2"}), "name")
        self.assertFalse(Complaint.objects.exists())
        self.assertInvalid(self.call(self.client_user, "POST", "/api/portal/statements",
                                     {"title": "t" * 201, "text": "Kort."}), "title")
        self.assertInvalid(self.call(self.management, "PUT", f"/api/privacy/registry/{self.coach.public_id}",
                                     {"registration_status": "registered", "insurer": "V"}),
                           "registered_on", "policy_number", "insurance_expires_on")
        self.assertFalse(CoachProfile.objects.exists())
        self.assertInvalid(self.call(self.auditor, "GET", "/api/privacy/log-review?month=0001-01"), "month")

    def test_the_same_router_gives_the_same_shape_for_schema_and_action_errors(self):
        """The privacy router used to answer {"detail": {field: [...]}} for the action and
        ninja's {"detail": [{"loc": ...}]} for the schema."""
        self.assertInvalid(self.call(self.management, "POST", "/api/privacy/breaches", {"title": "Lek"}),
                           "discovered_at", "description", "data_affected", "people_affected")
