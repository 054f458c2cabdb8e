"""The complaints API calls the same actions as the pages; bad input is a 422 with field errors."""

import datetime
import json

from django.db import transaction
from django.urls import reverse

from coachdossier.complaints import actions
from coachdossier.complaints.models import Complaint, Outcome, clocks_for

from .test_actions import ComplaintsTestCase, at

D = datetime.date


class TestComplaintsApi(ComplaintsTestCase):
    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def test_kr_1_a_client_lodges_and_the_officer_handles_it_to_closure(self):
        self.login(self.client_user)
        response = self.post("/api/complaints/", {"subject": "service", "category": "planning",
                                                  "description": "Te lang gewacht op een afspraak."})
        self.assertEqual(response.status_code, 201, response.content)
        cid = response.json()["id"]
        self.login(self.outsider)
        self.assertEqual(self.post(f"/api/complaints/{cid}/register", {}).json()["number"], "K-2026-001")
        self.assertEqual(self.post(f"/api/complaints/{cid}/acknowledgement", {}).status_code, 200)
        self.post(f"/api/complaints/{cid}/admission", {"admitted": True})
        bad = self.post(f"/api/complaints/{cid}/committee",
                        {"coaches": [str(self.coach.public_id), str(self.coach_c.public_id)]})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(list(bad.json()["errors"]), ["coaches"])
        self.post(f"/api/complaints/{cid}/committee",
                  {"coaches": [str(self.coach_d.public_id), str(self.coach_c.public_id)]})
        self.post(f"/api/complaints/{cid}/settlement", {"text": "Opgelost."})
        self.post(f"/api/complaints/{cid}/calls", {"reached": True, "satisfied": True})
        self.assertEqual(self.post(f"/api/complaints/{cid}/close", {"outcome": ""}).status_code, 422)
        closed = self.post(f"/api/complaints/{cid}/close", {"outcome": "satisfied"}).json()
        self.assertEqual(closed["status"], "closed")
        self.assertEqual(len(closed["letters"]), 2)
        pdf = self.client.get(f"/api/complaints/{cid}/letters/{closed['letters'][0]['id']}")
        self.assertTrue(pdf.content.startswith(b"%PDF"))

    def test_kr_3_2_a_lodging_retried_with_its_idempotency_key_lodges_one_complaint(self):
        """KR-3.2: a retry after a lost response gets the first complaint back, not a second case."""
        self.login(self.client_user)
        body = {"subject": "service", "category": "planning", "description": "Te lang gewacht op een afspraak."}

        def lodge(data):
            return self.client.post("/api/complaints/", json.dumps(data), content_type="application/json",
                                    headers={"Idempotency-Key": "retry-1"})

        first, again = lodge(body), lodge(body)
        self.assertEqual((first.status_code, again.status_code), (201, 200), again.content)
        self.assertEqual(again.json()["id"], first.json()["id"])
        changed = lodge({**body, "description": "Iets anders."})
        self.assertEqual(changed.status_code, 409)
        self.assertEqual(changed.json()["complaint"], first.json()["id"])
        self.assertEqual(Complaint.objects.count(), 1)

    def test_kr_3_2_a_client_cannot_backdate_their_complaint_or_call_it_a_letter(self):
        """KR-3.2: the portal form has neither field; the API took both from a client."""
        self.login(self.client_user)
        body = {"subject": "service", "category": "planning", "description": "Te lang gewacht."}
        backdated = self.post("/api/complaints/", {**body, "received_on": "2026-01-10"})
        self.assertEqual(backdated.status_code, 422, backdated.content)
        self.assertEqual(list(backdated.json()["errors"]), ["received_on"])
        letter = self.post("/api/complaints/", {**body, "channel": "letter"})
        self.assertEqual(letter.status_code, 422)
        self.assertEqual(list(letter.json()["errors"]), ["channel"])
        self.assertFalse(Complaint.objects.exists())

    def test_kr_2_2_a_phone_form_with_a_number_or_null_is_a_422_not_a_500(self):
        """KR-2.2: {"summary": 5} reached `.strip()` in the action and gave a 500."""
        self.login(self.outsider)
        body = {"subject": "service", "category": "planning", "description": "Belde boos op.", "channel": "phone",
                "name": "J. Pietersen", "phone_offer_made": True}
        for form in ({"summary": 5, "wish": "Terugbellen"}, {"summary": "Wachttijd", "wish": None}):
            response = self.post("/api/complaints/", {**body, "phone_form": form})
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual([field.split(".")[0] for field in response.json()["errors"]], ["phone_form"])
        self.assertFalse(Complaint.objects.exists())
        ok = self.post("/api/complaints/", {**body, "phone_form": {"summary": "Wachttijd", "wish": "Terugbellen"}})
        self.assertEqual(ok.status_code, 201, ok.content)
        self.assertEqual(Complaint.objects.get().content["phone_form"]["wish"], "Terugbellen")

    def test_kr_2_1_a_name_too_long_or_an_invalid_email_address_is_a_422_and_nothing_is_saved(self):
        """KR-2.1: the page form refuses a complainant's name over 150 characters and an invalid
        email address; the API took both, the name onto every letter and the address as contact."""
        self.login(self.outsider)
        body = {"subject": "service", "category": "costs", "description": "De factuur klopt niet.",
                "channel": "letter", "name": "J. Pietersen", "email": "j.pietersen@example.com"}
        for field, value in (("name", "J" * 151), ("email", "j.pietersen(at)example.com"),
                             ("email", "j@" + "x" * 400 + ".nl")):
            response = self.post("/api/complaints/", {**body, field: value})
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual(list(response.json()["errors"]), [field])
        self.assertFalse(Complaint.objects.exists())
        ok = self.post("/api/complaints/", {**body, "name": "J" * 150})
        self.assertEqual(ok.status_code, 201, ok.content)
        self.assertEqual(Complaint.objects.get().content["email"], "j.pietersen@example.com")

    def test_kr_1_a_complaint_over_twenty_thousand_characters_is_a_422_on_the_api_and_refused_on_the_page(self):
        """KR-1: neither the portal's form nor the API had a limit: 200,000 characters went into the
        complaint, its letters and the committee's case."""
        self.login(self.client_user)
        body = {"subject": "service", "category": "planning", "description": "x" * 20_001}
        response = self.post("/api/complaints/", body)
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(list(response.json()["errors"]), ["description"])
        page = self.client.post("/complaints/lodge/", {**body, "level": "practice", "idempotency_key": "k" * 22})
        self.assertContains(page, "Ensure this value has at most 20000 characters")
        self.assertFalse(Complaint.objects.exists())
        ok = self.post("/api/complaints/", {**body, "description": "x" * 20_000})
        self.assertEqual(ok.status_code, 201, ok.content)

    def test_a_letter_text_over_the_limit_is_a_422_with_the_field_error(self):
        complaint = self.lodge()
        self.login(self.outsider)
        self.post(f"/api/complaints/{complaint.public_id}/register", {})
        response = self.post(f"/api/complaints/{complaint.public_id}/acknowledgement", {"text": "x" * 100_000})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(list(response.json()["errors"]), ["text"])
        self.assertFalse(complaint.letters.exists())

    def test_strangers_get_404_and_committee_steps_need_the_officer(self):
        complaint = self.lodge()
        self.login(self.other_client_user)
        self.assertEqual(self.client.get(f"/api/complaints/{complaint.public_id}").status_code, 404)
        self.login(self.client_user)
        self.assertEqual(self.client.get(f"/api/complaints/{complaint.public_id}").status_code, 200)
        self.assertEqual(self.post(f"/api/complaints/{complaint.public_id}/register", {}).status_code, 403)
        self.assertEqual(Complaint.objects.get().number, "")

    def test_kr_3_7_the_uwv_figures(self):
        self.login(self.management)
        response = self.client.get("/api/complaints/reports/uwv?start=2026-01-01&end=2026-12-31")
        self.assertEqual(set(response.json()) - {"start", "end"},
                         {"total", "not_admitted", "not_admitted_in_term", "admitted", "admitted_in_term"})
        self.assertEqual(self.client.get("/api/complaints/reports/uwv?start=2026-12-01&end=2026-01-01").status_code,
                         422)
        self.login(self.coach)
        self.assertEqual(self.client.get("/api/complaints/reports/uwv?start=2026-01-01&end=2026-12-31").status_code,
                         403)


class _Undo(Exception):
    """Raised inside a savepoint to roll back a trial close."""


class TestClosingOutcomesAgree(ComplaintsTestCase):
    """KR-3.5, GC-8.2: the close form listed every outcome for every complaint, and the action
    then refused most of them. The page offers, the API lists and the API accepts the same
    outcomes: those the action's one rule (actions.closing_outcomes) allows for the case now."""

    def offered_on_the_page(self, complaint) -> set[str]:
        import re

        page = self.client.get(reverse("complaints:detail", args=[complaint.public_id])).content.decode()
        [select] = re.findall(r'<select name="outcome"[^>]*id="id_close_outcome".*?</select>', page, re.S)
        return set(re.findall(r'<option value="([^"]+)"', select))

    def accepted_by_the_api(self, complaint) -> set[str]:
        accepted = set()
        for outcome in Outcome.values:
            try:
                with transaction.atomic():
                    response = self.client.post(f"/api/complaints/{complaint.public_id}/close",
                                                json.dumps({"outcome": outcome}), content_type="application/json")
                    raise _Undo(response.status_code)
            except _Undo as undo:
                self.assertIn(undo.args[0], (200, 422))
                if undo.args[0] == 200:
                    accepted.add(outcome)
        return accepted

    def listed_by_the_api(self, complaint) -> set[str]:
        return set(self.client.get(f"/api/complaints/{complaint.public_id}").json()["closing_outcomes"])

    def assert_offered(self, complaint, expected: set[str]):
        self.login(self.outsider)
        self.assertEqual(self.offered_on_the_page(complaint), expected)
        self.assertEqual(self.listed_by_the_api(complaint), expected)
        self.assertEqual(self.accepted_by_the_api(complaint), expected)

    def registered(self, **kwargs):
        complaint = self.lodge(received=D(2026, 1, 5), **kwargs)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        return complaint

    def test_kr_3_5_a_practice_complaint_being_handled_can_only_be_withdrawn(self):
        complaint = self.registered()
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)), admitted=True)
        self.assert_offered(complaint, {"withdrawn"})

    def test_kr_3_5_a_complaint_not_admitted_closes_as_not_admitted_or_withdrawn(self):
        complaint = self.registered()
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)), admitted=False,
                                 reason="Gaat over een andere organisatie.")
        self.assert_offered(complaint, {"not_admitted", "withdrawn"})

    def test_kr_3_4a_a_complainant_who_said_they_were_satisfied_closes_as_satisfied(self):
        complaint = self.registered()
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)), admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(D(2026, 1, 7)))
        actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 2, 2)), text="Opgelost.")
        actions.log_call(actor=self.outsider, complaint=complaint, now=at(D(2026, 2, 3)), reached=True, satisfied=True)
        self.assert_offered(complaint, {"satisfied", "withdrawn"})

    def test_gc_8_2_an_umbrella_complaint_closes_with_the_ruling_only_once_both_parties_were_told(self):
        complaint = self.registered(level="umbrella")
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)), admitted=True)
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="founded",
                              ruling_on=D(2026, 1, 30))
        self.assert_offered(complaint, {"withdrawn"})
        actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 3)))
        self.assert_offered(complaint, {"ruling", "withdrawn"})


class TestStaffLodgingApi(ComplaintsTestCase):
    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def test_kr_2_1_staff_give_the_postal_address_and_phone_of_a_complainant_who_is_no_client(self):
        """KR-2.1: the page takes the address the letters go to; the API dropped it, so the letters
        to someone who is no client were addressed to a bare name."""
        self.login(self.outsider)
        response = self.post("/api/complaints/", {
            "subject": "service", "category": "planning", "description": "Te laat.", "channel": "letter",
            "name": "Piet Klager", "address_lines": ["Piet Klager", "Dorpsstraat 1", "1234 AB Ergens"],
            "phone": "06 12345678"})
        self.assertEqual(response.status_code, 201, response.content)
        complaint = Complaint.objects.get()
        self.assertEqual(complaint.content["phone"], "06 12345678")
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=self.now)
        self.assertEqual(letter.content["recipient_lines"], ["Piet Klager", "Dorpsstraat 1", "1234 AB Ergens"])

    def test_kr_2_1_an_address_or_phone_number_beyond_the_pages_limits_is_refused_with_its_field(self):
        self.login(self.outsider)
        body = {"subject": "service", "category": "planning", "description": "Te laat.", "channel": "letter",
                "name": "Piet Klager"}
        for extra, field in (({"phone": "0" * 33}, "phone"), ({"address_lines": ["x"] * 7}, "address_lines"),
                             ({"address_lines": ["x" * 101]}, "address_lines")):
            with self.subTest(field=field):
                response = self.post("/api/complaints/", {**body, **extra})
                self.assertEqual(response.status_code, 422)
                self.assertEqual(list(response.json()["errors"]), [field])
        self.assertFalse(Complaint.objects.exists())


class TestDocumentsApi(ComplaintsTestCase):
    def test_gc_9_4_a_committee_member_shares_a_document_with_the_case_and_reads_it_as_on_the_page(self):
        """The case page lets the committee and the handlers add and read the case's documents;
        the API had neither."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from coachdossier.clients.management.commands.demo import DEMO_PDF

        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=self.now, admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=self.now)
        self.login(self.coach_c)
        url = f"/api/complaints/{complaint.public_id}/documents"
        response = self.client.post(url, {"file": SimpleUploadedFile("verslag.pdf", DEMO_PDF)})
        self.assertEqual(response.status_code, 201, response.content)
        [doc] = response.json()["documents"]
        self.assertEqual(doc["name"], "verslag.pdf")
        self.assertEqual(self.client.get(f"{url}/{doc['id']}").content, DEMO_PDF)
        bad = self.client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")})
        self.assertEqual((bad.status_code, list(bad.json()["errors"])), (422, ["file"]))
        self.login(self.client_user)  # the complainant reads her complaint, not the case's documents
        self.assertEqual(self.client.get(f"{url}/{doc['id']}").status_code, 403)
        self.assertEqual(self.client.get(f"/api/complaints/{complaint.public_id}").json()["documents"], [])


class TestClosureDaysApi(ComplaintsTestCase):
    def test_kr_3_2_management_keeps_the_closure_days_the_clocks_skip_through_the_api_as_on_the_page(self):
        """KR-3.2, KR-3.4a: the working-day clocks skip the practice's closure days, which only the
        page could list, add and remove."""
        # Received Tue 22 Dec 2026: 23, 24, (25-27 Christmas, weekend), 28, 29, 30 Dec = 5 working days.
        complaint = self.lodge(received=D(2026, 12, 22))
        self.assertEqual({c.key: c for c in clocks_for(complaint, D(2026, 12, 22))}["register"].due, D(2026, 12, 30))
        self.login(self.management)
        response = self.client.post("/api/complaints/closure-days", json.dumps({"date": "2026-12-28"}),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["days"], [{"date": "2026-12-28", "description": ""}])
        self.assertEqual({c.key: c for c in clocks_for(complaint, D(2026, 12, 22))}["register"].due, D(2026, 12, 31))
        again = self.client.post("/api/complaints/closure-days", json.dumps({"date": "2026-12-28"}),
                                 content_type="application/json")
        self.assertEqual((again.status_code, list(again.json()["errors"])), (422, ["date"]))
        self.assertEqual(self.client.delete("/api/complaints/closure-days/2026-12-28").json()["days"], [])
        self.assertEqual(self.client.delete("/api/complaints/closure-days/2026-12-28").status_code, 404)
        self.login(self.outsider)  # the complaints officer reads them; management keeps them
        self.assertEqual(self.client.get("/api/complaints/closure-days").status_code, 200)
        self.assertEqual(self.client.post("/api/complaints/closure-days", json.dumps({"date": "2026-12-28"}),
                                          content_type="application/json").status_code, 403)


class TestProcedureApi(ComplaintsTestCase):
    def test_kr_3_1_management_sees_who_has_no_proof_and_sends_the_procedure_through_the_api(self):
        """KR-3.1: the page lists the trajectories and coaches without proof and sends the
        procedure with proof kept; the API could do neither."""
        from django.core import mail

        self.login(self.management)
        status = self.client.get("/api/complaints/procedure-notices").json()
        trajectory = self.own_client.current_trajectory
        self.assertIn(str(trajectory.public_id), [t["id"] for t in status["trajectories_without_proof"]])
        self.assertIn(str(self.coach_c.public_id), [c["id"] for c in status["coaches_without_proof"]])
        mail.outbox.clear()
        response = self.client.post("/api/complaints/procedure-notices",
                                    json.dumps({"coach": str(self.coach_c.public_id)}),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual([m.to for m in mail.outbox], [["cor@example.com"]])
        self.assertNotIn(str(self.coach_c.public_id), [c["id"] for c in response.json()["coaches_without_proof"]])
        self.assertEqual(response.json()["notices"][0]["coach"], str(self.coach_c.public_id))
        neither = self.client.post("/api/complaints/procedure-notices", json.dumps({}),
                                   content_type="application/json")
        self.assertEqual((neither.status_code, list(neither.json()["errors"])), (422, ["trajectory"]))
        self.login(self.client_user)
        self.assertTrue(self.client.get("/api/complaints/procedure.pdf").content.startswith(b"%PDF"))


class TestUmbrellaApi(ComplaintsTestCase):
    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def test_gc_8_2_the_api_refuses_a_ruling_on_an_umbrella_complaint_that_was_not_admitted_with_a_422(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 11, 2))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 11, 3)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 11, 10)), admitted=False,
                                 reason="Valt buiten het klachtenreglement.")
        self.login(self.outsider)
        response = self.post(f"/api/complaints/{complaint.public_id}/ruling",
                             {"ruling": "founded", "ruling_on": "2026-11-20", "measures": "Extra intervisie."})
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(response.json()["errors"],
                         {"complaint": ["This complaint was not admitted: there is no ruling to record for it."]})
        complaint.refresh_from_db()
        self.assertEqual((complaint.ruling, complaint.ruling_on), ("", None))

    def test_gc_8_1_the_api_shows_no_non_admission_clock_on_an_umbrella_complaint(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 10, 5))  # four weeks were up on 2 Nov
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 10, 6)))
        self.login(self.outsider)
        clocks = {c["key"]: c for c in self.client.get(f"/api/complaints/{complaint.public_id}").json()["clocks"]}
        self.assertEqual((clocks["non_admission"]["state"], clocks["non_admission"]["due"]), ("n/a", None))
        listed = self.client.get("/api/complaints/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        self.assertNotIn("late", {c["state"] for row in rows for c in row["clocks"] if c["key"] == "non_admission"})

    def test_gc_8_1_the_api_hands_a_complaint_to_the_umbrella_as_the_page_does(self):
        complaint = self.lodge(received=D(2026, 11, 2))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 11, 3)))
        self.login(self.outsider)
        url = f"/api/complaints/{complaint.public_id}/umbrella"
        response = self.post(url, {"note": "Bij de koepel ingediend."})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["level"], "umbrella")
        again = self.post(url, {})
        self.assertEqual(again.status_code, 422)
        self.assertEqual(list(again.json()["errors"]), ["complaint"])

