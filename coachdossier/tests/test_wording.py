"""What a client reads, in Dutch: every page of the access matrix that a client may open,
with no rule codes (a client cannot know what "GC-6.1" means) and no "je" (docs/architecture.md,
"Language")."""

import html
import re

from django.test import override_settings
from django.urls import reverse

from coachdossier.complaints.models import Complaint, Outcome, Status

from .test_access_matrix import RouteWorldTestCase, app_route_modules

RULE_CODE = re.compile(r"\b(GC|PR|KR|LAW)-[0-9A-Z]")
INFORMAL = re.compile(r"\b(je|jij|jouw)\b", re.IGNORECASE)
# Open to every account but written for staff and linked only from their pages.
STAFF_WORDING = {"accounts:confidentiality"}


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


@override_settings(LANGUAGE_CODE="nl")
class ClientPagesInDutchTestCase(RouteWorldTestCase):

    def test_no_page_a_client_opens_shows_a_rule_code_or_says_je(self):
        """The lodge form spoke of "(GC-0.2)" and the objection form of "(GC-6.1)" (as did the review of
        a report the principal may demand, and the correction form of "gedragscode GC-5.3")."""
        self.login(self.client_user)
        pages = 0
        for module in app_route_modules():
            for route in module.ROUTES:
                if route.method != "GET" or route.expect.get("client") != 200 or route.name in STAFF_WORDING:
                    continue
                url = reverse(route.name, kwargs=route.kwargs(self)) + (f"?{route.query}" if route.query else "")
                response = self.client.get(url)
                if "html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                text = visible_text(response.content.decode())
                with self.subTest(route=route.name):
                    self.assertEqual(RULE_CODE.findall(text), [])
                    self.assertIsNone(INFORMAL.search(text))
        self.assertGreater(pages, 20)

    def test_a_complaint_taken_as_settled_tells_the_client_why_without_the_rule_code(self):
        """KR-3.4b: after the calls that did not reach her, her page said "(klager niet bereikt, KR-3.4b)"."""
        self.login(self.client_user)
        self.client.post(reverse("complaints:lodge"), {
            "subject": "coach", "coach": self.coach.pk, "category": "communication", "level": "practice",
            "description": "Mijn coach reageert niet op mails."})
        # The way there (register, answer, three calls, the standard letter) is complaints' own
        # test (test_actions); here only what the client reads at its end.
        complaint = Complaint.objects.latest("pk")
        Complaint.objects.filter(pk=complaint.pk).update(status=Status.CLOSED, outcome=Outcome.ASSUMED_SATISFIED,
                                                         closed_on=self.now.date())
        page = self.client.get(reverse("complaints:mine", args=[complaint.public_id]))
        self.assertContains(page, "omdat wij u telefonisch niet konden bereiken")
        self.assertNotContains(page, "KR-3.4b")
