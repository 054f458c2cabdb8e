"""A report for a client without a portal account: the coach is told before she writes it."""

from coachdossier.reports.tests.helpers import ReportTestCase


class NoPortalAccountTestCase(ReportTestCase):
    """PR-6: the client's copy goes through the portal. The coach learns that before she writes
    a whole report, not when 'ready' is refused."""

    def test_pr_6_the_new_report_page_and_the_draft_say_the_client_must_be_invited_first(self):
        from django.urls import reverse

        draft = self.draft()
        self.own_client.user = None
        self.own_client.save(update_fields=["user"])
        self.login(self.coach)
        portal_tab = reverse("clients:tab", args=[self.own_client.public_id, "portal"])
        for url in (reverse("reports:new", args=[self.own_client.public_id]),
                    reverse("reports:detail", args=[self.own_client.public_id, draft.public_id])):
            r = self.client.get(url)
            self.assertContains(r, "The client has no portal account")
            self.assertContains(r, portal_tab)

    def test_with_a_portal_account_nothing_is_said(self):
        from django.urls import reverse

        self.login(self.coach)
        r = self.client.get(reverse("reports:new", args=[self.own_client.public_id]))
        self.assertNotContains(r, "The client has no portal account")
