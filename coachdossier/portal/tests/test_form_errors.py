"""A client who uses a screen reader hears each form error with its field: every field marked
aria-invalid is described (aria-describedby, on the field or on the fieldset around its group)
by an element that exists and says what is wrong."""

from coachdossier.clients.models import Consent, EntryKind
from coachdossier.complaints.models import Complaint
from coachdossier.portal.models import ClientRequest, CommunicationAgreement, Message
from coachdossier.test import untied_form_errors

from .base import PortalTestCase


class FormErrorsTestCase(PortalTestCase):
    def assert_errors_are_tied_to_their_fields(self, response, *messages):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(untied_form_errors(response.content.decode(), *messages), [])

    def setUp(self):
        super().setUp()
        self.login(self.client_user)
        self.client.cookies["django_language"] = "en"

    def test_gc_5_3_an_empty_statement_names_its_error_to_the_text_field(self):
        r = self.client.post("/portal/statements/new/", {"title": "", "text": "", "idempotency_key": "k" * 22})
        self.assert_errors_are_tied_to_their_fields(r, "This field is required.")
        self.assertFalse(self.own_client.entries.filter(kind=EntryKind.CLIENT_STATEMENT).exists())

    def test_gc_5_3_an_empty_correction_names_each_error_to_its_field(self):
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/requests/correction/", {"field": "", "proposed": "", "reason": ""})
        self.assert_errors_are_tied_to_their_fields(r, "This field is required.")
        self.assertFalse(ClientRequest.objects.exists())

    def test_gc_6_4_a_consent_without_its_details_names_each_error_to_its_field(self):
        r = self.client.post("/portal/consents/", {"kind": "disclosure", "valid_from": self.now.date().isoformat()})
        self.assert_errors_are_tied_to_their_fields(r, "Name the party", "Describe the purpose", "Describe which data")
        self.assertFalse(Consent.objects.filter(client=self.own_client, given_via="portal").exists())

    def test_an_empty_message_names_its_error_to_the_message_field(self):
        r = self.client.post("/portal/messages/", {"text": " "})
        self.assert_errors_are_tied_to_their_fields(r, "This field is required.")
        self.assertFalse(Message.objects.exists())

    def test_gc_5_4_an_unticked_destruction_confirmation_names_its_error_to_the_checkbox(self):
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/requests/destruction/", {"confirm": ""})  # unticked
        self.assert_errors_are_tied_to_their_fields(r, "Tick the box")
        self.assertFalse(ClientRequest.objects.exists())

    def test_gc_6_3_the_email_choice_is_a_named_group_that_carries_its_error(self):
        """A group of radios is a fieldset named by its question: a lone <label for=""> named nothing."""
        r = self.client.post("/portal/communication/", {"by_email": "on", "email_content": "everything"})
        self.assert_errors_are_tied_to_their_fields(r, "Select a valid choice.")
        self.assertContains(r, "<legend>What may be said in an email", html=False)
        self.assertNotContains(r, '<label for="">')
        self.assertFalse(CommunicationAgreement.objects.exists())

    def test_kr_1_an_empty_complaint_names_its_error_to_the_description(self):
        r = self.client.post("/complaints/lodge/", {"subject": "service", "category": "planning",
                                                    "level": "practice", "description": "",
                                                    "idempotency_key": "k" * 22})
        self.assert_errors_are_tied_to_their_fields(r, "This field is required.")
        self.assertFalse(Complaint.objects.exists())

    def test_gc_9_1_a_questionnaire_sent_with_unanswered_questions_names_the_error_to_each_question(self):
        from coachdossier.questionnaires import actions as q_actions
        from coachdossier.questionnaires.models import QuestionnaireDefinition

        q_actions.ensure_shipped(now=self.now)
        administration = q_actions.send_questionnaire(
            actor=self.coach, client=self.own_client, definition=QuestionnaireDefinition.objects.get(key="dass-21"),
            moment="intake", now=self.now)
        r = self.client.post(f"/questionnaires/fill/{administration.public_id}/",
                             {"action": "submit", "idempotency_key": "k" * 22})
        self.assert_errors_are_tied_to_their_fields(r, "Please answer this question.")
        administration.refresh_from_db()
        self.assertIsNone(administration.completed_at)
