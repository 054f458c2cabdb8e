"""The privacy API: same actions as the pages, 422 with field errors, roles enforced."""

import datetime
import json

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.privacy import actions
from coachdossier.privacy.models import CoachProfile, ConfidentialityBreach, DataBreach, LegalHold, Processor
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
        self.assertIn("registered_on", response.json()["errors"])
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

    def test_law_33_the_api_records_when_the_decision_was_taken_and_marks_a_late_not_required_late(self):
        self.login(self.management)
        made = self.post("/api/privacy/breaches", {"discovered_at": "2026-11-19T09:00:00+01:00", "title": "Lek",
                                                   "description": "x", "data_affected": "x", "people_affected": "x"})
        url = f"/api/privacy/breaches/{made.json()['id']}/decision"
        bad = self.post(url, {"decision": "not_required", "reason": "Geen risico",
                              "decided_at": "2026-11-18T09:00:00+01:00"})
        self.assertEqual(bad.status_code, 422)
        self.assertIn("decided_at", bad.json()["errors"])
        decided = self.post(url, {"decision": "not_required", "reason": "Geen risico"}).json()
        taken = datetime.datetime.fromisoformat(decided["decided_at"])
        self.assertLess(abs(taken - self.now), datetime.timedelta(minutes=1))  # now: 97 hours after discovery
        self.assertEqual((decided["decided_by"], decided["late"]), ("Mia Directie", True))
        in_time = self.post(url, {"decision": "not_required", "reason": "Geen risico",
                                  "decided_at": "2026-11-20T09:00:00+01:00"}).json()
        self.assertFalse(in_time["late"])
        self.assertEqual(datetime.datetime.fromisoformat(self.client.get("/api/privacy/breaches").json()[0]["decided_at"]),
                         datetime.datetime.fromisoformat("2026-11-20T09:00:00+01:00"))
        self.login(self.auditor)
        self.assertEqual(self.client.get("/api/privacy/security-report").json()["late_breach_decisions"], 0)

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


class PrivacyRegisterApiTests(PrivacyTestCase):
    """The registers' remaining pages in the API, with their access-log entries; bad input
    422 with field errors (`detail`) and nothing saved."""

    def post(self, user, url, data=None):
        self.login(user)
        return self.client.post(f"/api/privacy{url}", json.dumps(data or {}), content_type="application/json")

    def breach(self, **decision):
        breach = actions.record_data_breach(actor=self.management, discovered_at=self.now, title="Lek",
                                            description="x", data_affected="x", people_affected="x", now=self.now)
        if decision:
            actions.decide_data_breach(actor=self.management, breach=breach, now=self.now, **decision)
        return breach

    def test_gc_6_5_the_coach_records_a_confidentiality_breach_and_the_register_shows_it(self):
        response = self.post(self.coach, f"/clients/{self.own_client.public_id}/confidentiality-breaches", {
            "occurred_on": "2026-11-20", "legal_ground": "danger", "reason": "Acuut gevaar", "recipient": "Huisarts",
            "shared": "Zorgen over veiligheid", "client_informed": False, "why_not_told": "Nog niet bereikbaar"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(AccessLogEntry.objects.filter(client_ref=self.own_client.public_id).last().action,
                         "confidentiality_breach.record")
        self.login(self.management)
        self.assertEqual([c["legal_ground"] for c in self.client.get("/api/privacy/confidentiality-breaches").json()],
                         ["danger"])

    def test_gc_6_5_without_a_reason_or_saying_why_the_client_was_not_told_it_is_422_and_not_recorded(self):
        incomplete = {"occurred_on": "2026-11-20", "legal_ground": "law", "reason": "", "recipient": "Politie",
                      "shared": "Adres"}
        response = self.post(self.coach, f"/clients/{self.own_client.public_id}/confidentiality-breaches", incomplete)
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(sorted(response.json()["errors"]), ["reason", "why_not_told"])
        self.assertFalse(ConfidentialityBreach.objects.exists())
        self.assertEqual(self.post(self.other_coach, f"/clients/{self.own_client.public_id}/confidentiality-breaches",
                                   incomplete).status_code, 404)

    def test_law_33_a_breach_closes_only_after_the_decision(self):
        pending = self.breach()
        response = self.post(self.management, f"/breaches/{pending.public_id}/close")
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["decision"]))
        decided = self.breach(decision="not_required", reason="Versleuteld")
        response = self.post(self.management, f"/breaches/{decided.public_id}/close")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIsNotNone(response.json()["closed_at"])

    def test_law_33_the_decision_keeps_the_measures_as_the_page_does(self):
        breach = self.breach()
        response = self.post(self.management, f"/breaches/{breach.public_id}/decision",
                             {"decision": "not_required", "reason": "Geen risico", "measures": "Wachtwoord gewijzigd"})
        self.assertEqual(response.status_code, 200, response.content)
        breach.refresh_from_db()
        self.assertEqual(breach.measures, "Wachtwoord gewijzigd")

    def test_avg_34_an_affected_client_is_recorded_by_reference_and_an_unknown_one_is_422(self):
        breach = self.breach()
        response = self.post(self.management, f"/breaches/{breach.public_id}/clients",
                             {"reference": self.own_client.reference, "notified_on": "2026-11-23"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(breach.notices.get().client, self.own_client)
        response = self.post(self.management, f"/breaches/{breach.public_id}/clients", {"reference": "1999-0001"})
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["reference"]))

    def test_law_30_a_processor_is_added_and_one_without_a_location_is_422(self):
        good = {"name": "Hoster BV", "service": "Hosting", "agreement_reference": "VWO-1",
                "agreement_date": "2026-01-05", "location": "Amsterdam"}
        self.assertEqual(self.post(self.management, "/processors", good).status_code, 201)
        response = self.post(self.management, "/processors", {**good, "name": "Mailer", "location": " "})
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["location"]))
        self.assertEqual(list(Processor.objects.values_list("name", flat=True)), ["Hoster BV"])

    def test_pr_r4_the_handover_package_downloads_logged_and_its_delivery_is_recorded(self):
        trajectory = self.other_client.current_trajectory
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        item = actions.create_handover(actor=self.management, client=self.other_client, trajectory=trajectory,
                                       now=self.now)
        url = f"/api/privacy/clients/{self.other_client.public_id}/handovers/{item.public_id}"
        self.login(self.management)
        package = self.client.get(f"{url}/package")
        self.assertEqual((package.status_code, package.content[:2]), (200, b"PK"))
        self.assertEqual(AccessLogEntry.objects.filter(client_ref=self.other_client.public_id).last().action,
                         "handover.download")
        future = self.client.post(f"{url}/delivery", json.dumps({"delivered_on": "2027-01-01", "method": "Portaal"}),
                                  content_type="application/json")
        self.assertEqual((future.status_code, list(future.json()["errors"])), (422, ["delivered_on"]))
        done = self.client.post(f"{url}/delivery", json.dumps({"delivered_on": "2026-11-23", "method": "Portaal"}),
                                content_type="application/json")
        self.assertEqual(done.status_code, 200, done.content)
        self.assertIsNotNone(done.json()["delivered_at"])

    def test_nen_7513_the_log_review_of_a_month_and_a_bad_month_is_422(self):
        self.login(self.auditor)
        response = self.client.get("/api/privacy/log-review?month=2026-11")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["month"], "2026-11-01")
        self.assertEqual(AccessLogEntry.objects.last().action, "log_review.view")
        response = self.client.get("/api/privacy/log-review?month=0001-01")
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["month"]))

    def test_an_insurer_longer_than_its_column_is_422_and_no_profile_saved(self):
        """The page's form refuses it; the API took it (PostgreSQL would answer 500)."""
        self.login(self.management)
        response = self.client.put(f"/api/privacy/registry/{self.coach.public_id}", json.dumps({
            "registration_status": "pending", "insurer": "I" * 121, "policy_number": "1",
            "insurance_expires_on": "2027-06-30"}), content_type="application/json")
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["insurer"]))
        self.assertFalse(CoachProfile.objects.exists())

    def test_a_data_breach_title_longer_than_its_column_is_422_and_not_recorded(self):
        response = self.post(self.management, "/breaches", {
            "discovered_at": "2026-11-22T09:00:00+01:00", "title": "L" * 201, "description": "x",
            "data_affected": "x", "people_affected": "x"})
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["title"]))
        self.assertFalse(DataBreach.objects.exists())

    def test_a_legal_hold_reason_longer_than_the_forms_limit_is_422_and_no_hold_placed(self):
        response = self.post(self.management, f"/clients/{self.own_client.public_id}/holds", {"reason": "Z" * 1001})
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["reason"]))
        self.assertFalse(LegalHold.objects.exists())

    def test_an_authority_reference_longer_than_its_column_is_422_and_the_decision_stays_pending(self):
        breach = self.breach()
        response = self.post(self.management, f"/breaches/{breach.public_id}/decision", {
            "decision": "not_required", "reason": "Geen risico", "authority_reference": "AP" * 31})
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["authority_reference"]))
        breach.refresh_from_db()
        self.assertEqual(breach.decision, "pending")
