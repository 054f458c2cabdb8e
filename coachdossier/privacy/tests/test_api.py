"""The privacy API: same actions as the pages, 422 with field errors, roles enforced."""

import json

from coachdossier.privacy.models import CoachProfile, LegalHold
from coachdossier.privacy.tests.base import PrivacyTestCase


class PrivacyApiTests(PrivacyTestCase):
    def put(self, url, data):
        return self.client.put(url, json.dumps(data), content_type="application/json")

    def test_gc_4_4_management_records_a_profile_and_a_fee_and_reads_the_standing(self):
        self.login(self.management)
        response = self.put(f"/api/privacy/registry/{self.coach.public_id}", {
            "registration_status": "registered", "registered_on": "2020-01-01", "insurer": "V",
            "policy_number": "1", "insurance_expires_on": "2027-06-30"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["good_standing"])
        response = self.client.post(f"/api/privacy/registry/{self.coach.public_id}/fees",
                                    json.dumps({"year": 2026, "paid_on": "2026-01-10"}),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 201)
        listing = self.client.get("/api/privacy/registry").json()
        self.assertEqual([p["good_standing"] for p in listing["profiles"]], [True])
        self.assertIn(str(self.other_coach.public_id), listing["coaches_not_in_registry"])

    def test_bad_input_is_a_422_with_field_errors_and_nothing_saved(self):
        self.login(self.management)
        response = self.put(f"/api/privacy/registry/{self.coach.public_id}",
                            {"registration_status": "registered", "insurer": "V"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("registered_on", response.json()["detail"])
        self.assertFalse(CoachProfile.objects.exists())

    def test_a_coach_may_not_read_the_registry(self):
        self.login(self.coach)
        self.assertEqual(self.client.get("/api/privacy/registry").status_code, 403)

    def test_legal_holds_through_the_api(self):
        self.login(self.management)
        url = f"/api/privacy/clients/{self.own_client.public_id}/holds"
        self.assertEqual(self.client.post(url, json.dumps({"reason": ""}), content_type="application/json")
                         .status_code, 422)
        response = self.client.post(url, json.dumps({"reason": "Rechtszaak"}), content_type="application/json")
        self.assertEqual(response.status_code, 201)
        hold_id = response.json()["id"]
        self.assertEqual(self.client.get(url).json()[0]["reason"], "Rechtszaak")
        released = self.client.post(f"{url}/{hold_id}/release")
        self.assertIsNotNone(released.json()["released_at"])
        self.assertIsNotNone(LegalHold.objects.get().released_at)

    def test_a_stranger_client_id_is_a_404(self):
        self.login(self.management)
        import uuid

        self.assertEqual(self.client.get(f"/api/privacy/clients/{uuid.uuid4()}/holds").status_code, 404)

    def test_the_auditor_reads_the_checkpoints_and_the_retention_list_is_management_only(self):
        self.login(self.auditor)
        self.assertIn("public_key", self.client.get("/api/privacy/checkpoints").json())
        self.assertEqual(self.client.get("/api/privacy/retention").status_code, 403)


class RegisterApiTests(PrivacyTestCase):
    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def test_law_33_breaches_through_the_api_with_the_72_hour_deadline(self):
        self.login(self.management)
        bad = self.post("/api/privacy/breaches", {"discovered_at": "2026-11-20T10:00:00+01:00", "title": "",
                                                  "description": "x", "data_affected": "x", "people_affected": "x"})
        self.assertEqual(bad.status_code, 422)
        made = self.post("/api/privacy/breaches", {"discovered_at": "2026-11-20T10:00:00+01:00", "title": "Lek",
                                                   "description": "x", "data_affected": "x", "people_affected": "x"})
        self.assertEqual(made.status_code, 201)
        self.assertEqual(made.json()["deadline"][:16], "2026-11-23T10:00")  # 72 hours later, Dutch time
        decided = self.post(f"/api/privacy/breaches/{made.json()['id']}/decision",
                            {"decision": "not_required", "reason": "Geen risico"})
        self.assertEqual(decided.json()["decision"], "not_required")

    def test_law_30_the_processing_register_and_gc_6_6_the_security_report_for_the_auditor(self):
        self.login(self.auditor)
        register = self.client.get("/api/privacy/processing-register").json()
        self.assertTrue(register["activities"][0]["categories"])
        report = self.client.get("/api/privacy/security-report").json()
        self.assertEqual(report["encryption"]["keys"], 2)
        self.assertEqual(self.client.get("/api/privacy/breaches").status_code, 403)

    def test_pr_r4_a_handover_through_the_api(self):
        from coachdossier.clients import actions as client_actions

        trajectory = self.other_client.current_trajectory
        self.login(self.management)
        url = f"/api/privacy/clients/{self.other_client.public_id}/handovers"
        self.assertEqual(self.post(url, {"trajectory_id": str(trajectory.public_id)}).status_code, 422)
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        made = self.post(url, {"trajectory_id": str(trajectory.public_id)})
        self.assertEqual(made.status_code, 201)
        self.assertEqual(self.client.get(url).json()[0]["sha256"], made.json()["sha256"])
