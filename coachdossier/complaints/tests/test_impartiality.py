"""KR-3.2, KR-3.3b: nobody involved in a complaint handles it, the complaints officer included.

The regulation has complaints collected by "the specially appointed coach" (KR-3.2) and
handled by coaches "who are not themselves involved in the complaint" (KR-3.3b). Sanne is a
coach and a complaints officer. A complaint about her, or from or about a client she coaches,
is not hers to register, acknowledge, admit or give a committee: for her the case does not
exist (404, pages and API), it is not in her register, and its notices go to the other
officer, Kees. When no officer is left, management is told on the dashboard, in the register,
on the case and by mail, instead of the case going to nobody."""

import datetime
import json

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.accounts.models import Role, User
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.complaints import actions
from coachdossier.complaints.dashboard import panels
from coachdossier.complaints.models import Complaint, Involvement
from coachdossier.test import make_client, make_user

from .test_actions import ComplaintsTestCase, at

D = datetime.date


class ImpartialityTestCase(ComplaintsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sanne = make_user("sanne@example.com", "Sanne Visser", Role.COACH, Role.COMPLAINTS_OFFICER)
        cls.eva_user = make_user("eva@example.com", "Eva Smit", Role.CLIENT)
        cls.eva = make_client(actor=cls.management, coach=cls.sanne, principal=cls.employer, first="Eva",
                              last="Smit", user=cls.eva_user)

    def about_sanne(self, **kwargs):
        """Carla (Alice's client) complains about Sanne; Kees took the letter in."""
        return self.lodge(actor=self.outsider, channel="letter", coach=self.sanne, **kwargs)

    def by_eva(self, **kwargs):
        """Eva, Sanne's own client, complains about the service in the portal."""
        return self.lodge(actor=self.eva_user, client=self.eva, subject="service", coach=None, **kwargs)

    def registered(self, complaint):
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        return complaint


class TestWhoIsInvolved(ImpartialityTestCase):
    def test_kr_3_3b_each_kind_of_involvement_is_found_the_same_way_for_one_case_and_for_the_register(self):
        """KR-3.3b, GC-2.5: the coach complained about, the client's own coach, the client's
        substitute coach (also after the consented period) and the complainant."""
        olga = make_user("olga@example.com", "Olga Oud-cliënt", Role.CLIENT, Role.COMPLAINTS_OFFICER)
        former = make_client(actor=self.management, coach=self.other_coach, principal=self.employer, first="Olga",
                             last="Oud", user=olga)
        client_actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                      substitute=self.coach_d, given_via="writing", valid_from=D(2026, 2, 1),
                                      valid_until=D(2026, 2, 28), evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF),
                                      now=at(D(2026, 2, 1)))
        cases = [
            (self.about_sanne(), self.sanne, Involvement.COACH),
            (self.by_eva(), self.sanne, Involvement.OWN_COACH),
            (self.lodge(actor=self.outsider, channel="letter"), self.coach_d, Involvement.SUBSTITUTE),
            (self.lodge(actor=self.outsider, channel="letter", client=former, subject="service", coach=None), olga,
             Involvement.COMPLAINANT),
        ]
        for complaint, user, involvement in cases:
            with self.subTest(involvement=involvement):
                self.assertEqual(complaint.involvement_of(user), involvement)
                self.assertIn(complaint, Complaint.objects.involving(user))
                self.assertNotIn(complaint, Complaint.objects.handled_by(user))
                self.assertIsNone(complaint.involvement_of(self.outsider))
        self.assertEqual(Complaint.objects.involving(self.outsider).count(), 0)

    def test_kr_3_3b_a_complaint_from_someone_who_is_no_client_involves_only_the_coach_it_names(self):
        complaint = actions.lodge_complaint(actor=self.outsider, now=self.now, channel="letter", subject="coach",
                                            coach=self.sanne, category="communication", name="M. Jansen",
                                            description="Onvriendelijk te woord gestaan.")
        self.assertEqual(complaint.involvement_of(self.sanne), Involvement.COACH)
        self.assertIsNone(complaint.involvement_of(self.coach))
        self.assertEqual(list(Complaint.objects.handled_by(self.outsider)), [complaint])
        self.assertEqual(list(Complaint.objects.handled_by(self.sanne)), [])


class TestOfficerPages(ImpartialityTestCase):
    def test_kr_3_3b_a_complaint_about_the_officer_herself_does_not_exist_for_her(self):
        """Before: Sanne opened, registered and could close the complaint about herself."""
        complaint = self.registered(self.about_sanne())
        letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=self.now)
        self.login(self.sanne)
        self.assertEqual(self.client.get(reverse("complaints:detail", args=[complaint.public_id])).status_code, 404)
        close = self.client.post(reverse("complaints:step", args=[complaint.public_id, "close"]),
                                 {"outcome": "withdrawn"})
        self.assertEqual(close.status_code, 404)
        note = self.client.post(reverse("complaints:step", args=[complaint.public_id, "note"]), {"note": "Gezien."})
        self.assertEqual(note.status_code, 404)
        pdf = self.client.get(reverse("complaints:letter", args=[complaint.public_id, letter.public_id]))
        self.assertEqual(pdf.status_code, 404)
        complaint.refresh_from_db()
        self.assertEqual((complaint.status, complaint.events.count()), ("registered", 3))
        register = self.client.get(reverse("complaints:register"))
        self.assertNotContains(register, str(complaint.public_id))
        self.assertContains(register, "is handled by another complaints officer and is not listed here")

    def test_kr_3_3b_a_complaint_by_the_officers_own_client_goes_to_the_other_officer(self):
        complaint = self.by_eva()
        self.login(self.sanne)
        self.assertEqual(self.client.get(reverse("complaints:detail", args=[complaint.public_id])).status_code, 404)
        register = self.client.post(reverse("complaints:step", args=[complaint.public_id, "register"]),
                                    {"received_on": "2026-03-24", "category": "planning"})
        self.assertEqual(register.status_code, 404)
        self.login(self.outsider)
        page = self.client.get(reverse("complaints:detail", args=[complaint.public_id]))
        self.assertContains(page, "Sanne Visser is the client&#x27;s own coach.")
        self.assertNotContains(page, 'id="no-impartial-officer"')
        self.assertContains(self.client.get(reverse("complaints:register")), str(complaint.public_id))

    def test_kr_3_3b_the_officer_handles_the_cases_she_has_no_part_in(self):
        complaint = self.lodge(actor=self.outsider, channel="letter")  # Carla about Alice
        self.login(self.sanne)
        response = self.client.post(reverse("complaints:step", args=[complaint.public_id, "register"]),
                                    {"received_on": "2026-03-24", "category": "planning"})
        self.assertRedirects(response, reverse("complaints:detail", args=[complaint.public_id]))
        self.assertContains(self.client.get(reverse("complaints:register")), str(complaint.public_id))

    def test_kr_3_3b_her_dashboard_counts_only_the_cases_she_handles(self):
        self.about_sanne()
        self.by_eva()
        self.lodge(actor=self.outsider, channel="letter")
        count = {user: panels(type("R", (), {"user": user})(), self.now)[0].context["count"]
                 for user in (self.sanne, self.outsider, self.management)}
        self.assertEqual(count, {self.sanne: 1, self.outsider: 3, self.management: 3})

    def test_kr_3_3b_an_officer_who_lodges_a_complaint_about_herself_is_told_it_went_on(self):
        """KR-2.2: a phone complaint reaches the coach it is about; she lodges it and it goes on."""
        self.login(self.sanne)
        response = self.client.post(reverse("complaints:new"), {
            "channel": "phone", "received_on": "2026-11-23", "client_reference": self.own_client.reference,
            "subject": "coach", "coach": self.sanne.pk, "category": "communication", "level": "practice",
            "description": "Belde boos op.", "phone_offer_made": "on", "phone_summary": "Boos",
            "phone_wish": "Excuses"})
        self.assertTemplateUsed(response, "complaints/lodged.html")
        self.assertEqual(Complaint.objects.get().involvement_of(self.sanne), Involvement.COACH)


class TestOfficerApi(ImpartialityTestCase):
    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def test_kr_3_3b_the_api_gives_the_involved_officer_404_and_leaves_the_case_out_of_her_list(self):
        about_her, by_her_client = self.registered(self.about_sanne()), self.by_eva()
        other = self.lodge(actor=self.outsider, channel="letter")
        self.login(self.sanne)
        listed = {c["id"] for c in self.client.get("/api/complaints/").json()["results"]}
        self.assertEqual(listed, {str(other.public_id)})
        for complaint in (about_her, by_her_client):
            cid = complaint.public_id
            self.assertEqual(self.client.get(f"/api/complaints/{cid}").status_code, 404)
            self.assertEqual(self.post(f"/api/complaints/{cid}/close", {"outcome": "withdrawn"}).status_code, 404)
            self.assertEqual(self.post(f"/api/complaints/{cid}/notes", {"note": "Gezien."}).status_code, 404)
        self.assertEqual(self.post(f"/api/complaints/{by_her_client.public_id}/register", {}).status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.post(f"/api/complaints/{by_her_client.public_id}/register", {}).status_code, 200)
        self.assertFalse(self.client.get(f"/api/complaints/{about_her.public_id}").json()["no_impartial_officer"])


class TestNotices(ImpartialityTestCase):
    def test_kr_3_2_the_new_complaint_notice_goes_to_the_officer_who_is_not_involved(self):
        """Before: Sanne was mailed of the complaint about herself."""
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.about_sanne()
        self.assertEqual([m.to for m in mail.outbox], [["kees@example.com"]])

    def test_kr_3_2_deadline_reminders_go_to_the_officer_who_is_not_involved(self):
        self.by_eva(received=D(2026, 3, 24))  # register due 31 Mar
        mail.outbox.clear()
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 27))), 1)
        self.assertEqual([m.to for m in mail.outbox], [["kees@example.com"]])


class TestNoImpartialOfficer(ImpartialityTestCase):
    """Kees has left: Sanne is the only complaints officer, and the complaint is about her."""

    def setUp(self):
        super().setUp()
        User.objects.filter(pk=self.outsider.pk).update(is_active=False)
        User.objects.filter(pk=self.management.pk).update(language="nl")  # her mail is in Dutch
        mail.outbox.clear()

    def test_kr_3_3b_management_is_mailed_that_no_officer_can_take_the_new_complaint(self):
        with self.captureOnCommitCallbacks(execute=True):
            complaint = self.about_sanne()
        [message] = mail.outbox
        self.assertEqual(message.to, ["mia@example.com"])
        self.assertIn("Geen klachtenfunctionaris kan deze behandelen", message.body)  # her mail is in Dutch
        self.assertIn(reverse("complaints:detail", args=[complaint.public_id]), message.body)
        self.assertNotIn("opdagen", message.body)

    def test_kr_3_3b_management_gets_the_deadline_reminders_saying_why(self):
        self.about_sanne(received=D(2026, 3, 24))
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 27))), 1)
        [message] = mail.outbox
        self.assertEqual(message.to, ["mia@example.com"])
        self.assertIn("Geen klachtenfunctionaris kan deze klacht behandelen", message.body)

    def test_kr_3_3b_management_sees_it_on_the_dashboard_in_the_register_and_on_the_case(self):
        complaint = self.about_sanne()
        self.lodge(actor=self.management, channel="letter")  # about Alice: Sanne can take it
        [panel] = panels(type("R", (), {"user": self.management})(), self.now)
        self.assertEqual(panel.context["no_officer"], [complaint])
        self.login(self.management)
        home = self.client.get(reverse("home"))
        self.assertContains(home, 'id="complaints-without-officer"')
        self.assertContains(home, reverse("complaints:detail", args=[complaint.public_id]))
        self.assertContains(self.client.get(reverse("complaints:register")), "No complaints officer can handle it",
                            count=1)
        page = self.client.get(reverse("complaints:detail", args=[complaint.public_id]))
        self.assertContains(page, 'id="no-impartial-officer"')
        self.assertContains(page, "Sanne Visser is the coach the complaint is about.")
        self.assertTrue(self.client.get(f"/api/complaints/{complaint.public_id}").json()["no_impartial_officer"])
        # Management can take every step itself.
        response = self.client.post(reverse("complaints:step", args=[complaint.public_id, "register"]),
                                    {"received_on": "2026-03-24", "category": "communication"})
        self.assertRedirects(response, reverse("complaints:detail", args=[complaint.public_id]))

    def test_kr_3_3b_the_officers_dashboard_has_no_such_warning(self):
        self.about_sanne()
        [panel] = panels(type("R", (), {"user": self.sanne})(), self.now)
        self.assertEqual((panel.context["count"], panel.context["no_officer"]), (0, []))
