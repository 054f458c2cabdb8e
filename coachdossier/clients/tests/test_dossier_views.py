from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import DossierEntry, EntryKind
from coachdossier.test import BaseTestCase, make_client

CHANGES_NOT_SAVED = ("This entry had already been saved when you sent the form again; the changes in your second "
                     "submission were not saved. Edit the entry to change it.")


class ClientDetailTestCase(BaseTestCase):
    def url(self, client):
        return f"/clients/{client.public_id}/"

    def test_a_coach_sees_her_own_clients_dossier_and_the_read_is_logged(self):
        """GC-2.3, LAW-NEN7513"""
        actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE, occurred_on=self.now.date(),
                          title="Intake", text="Eerste gesprek verliep goed.", now=self.now)
        self.login(self.coach)
        before = AccessLogEntry.objects.count()
        r = self.client.get(self.url(self.own_client))
        self.assertContains(r, "Eerste gesprek verliep goed.")
        self.assertContains(r, "Carla de Vries")
        entries = AccessLogEntry.objects.filter(seq__gt=before)
        self.assertEqual([e.action for e in entries], ["dossier.read"])
        self.assertEqual(entries[0].client_ref, self.own_client.public_id)
        self.assertEqual(entries[0].basis, "coach")
        self.assertIn("no-store", r["Cache-Control"])

    def test_another_coach_gets_404_and_the_attempt_is_logged_as_denied(self):
        """GC-2.3"""
        self.login(self.other_coach)
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 404)
        last = AccessLogEntry.objects.last()
        self.assertEqual(last.outcome, Outcome.DENIED)
        self.assertEqual(last.actor, self.other_coach)

    def test_management_gets_403_on_dossier_content(self):
        """PR-7"""
        self.login(self.management)
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])

    def test_post_is_not_allowed(self):
        self.login(self.coach)
        self.assertEqual(self.client.post(self.url(self.own_client)).status_code, 405)


class TimelinePagingTestCase(BaseTestCase):
    """A dossier of years stays one quick page: the newest 50 entries, then 'Older entries'."""

    def setUp(self):
        super().setUp()
        import datetime

        for day in range(53):
            actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                              occurred_on=self.now.date() - datetime.timedelta(days=day), title=f"Gesprek {day}",
                              text=f"Verslag van dag {day}.", now=self.now)
        self.login(self.coach)
        self.url = f"/clients/{self.own_client.public_id}/"

    def test_the_page_shows_the_newest_fifty_entries_and_links_to_the_older_ones(self):
        """GC-2.3"""
        r = self.client.get(self.url)
        self.assertContains(r, "Verslag van dag 0.")
        self.assertContains(r, "Verslag van dag 49.")
        self.assertNotContains(r, "Verslag van dag 50.")
        self.assertContains(r, "?page=2")

    def test_older_entries_come_through_htmx_as_rows_only_and_each_page_is_logged(self):
        """LAW-NEN7513: every page of the timeline is a read of the dossier."""
        before = AccessLogEntry.objects.count()
        r = self.client.get(self.url + "?page=2", headers={"HX-Request": "true"})
        self.assertContains(r, "Verslag van dag 52.")
        self.assertNotContains(r, "Verslag van dag 49.")
        self.assertNotContains(r, 'id="timeline"')  # appended to the list, not a second list
        self.assertNotContains(r, "?page=3")
        self.assertEqual(list(AccessLogEntry.objects.filter(seq__gt=before).values_list("action", flat=True)),
                         ["dossier.read"])

    def test_a_page_number_that_is_not_a_number_shows_the_first_page(self):
        r = self.client.get(self.url + "?page=abc")
        self.assertContains(r, "Verslag van dag 0.")


class ClientTabsTestCase(BaseTestCase):
    """The client page's other parts are tabs, computed and logged only when opened."""

    def tab(self, key):
        return f"/clients/{self.own_client.public_id}/tab/{key}/"

    def test_the_dossier_page_offers_the_tabs_but_does_not_read_their_content(self):
        """LAW-NEN7513: opening the dossier logs one read, of the dossier."""
        self.login(self.coach)
        before = AccessLogEntry.objects.count()
        r = self.client.get(f"/clients/{self.own_client.public_id}/")
        for key in ("questionnaires", "measurements", "reports", "portal", "privacy"):
            self.assertContains(r, self.tab(key))
        self.assertEqual(list(AccessLogEntry.objects.filter(seq__gt=before).values_list("action", flat=True)),
                         ["dossier.read"])

    def test_opening_a_tab_is_logged_as_what_it_shows(self):
        """LAW-NEN7513"""
        self.login(self.coach)
        for key, action in (("questionnaires", "questionnaires.read"), ("measurements", "measurements.read"),
                            ("reports", "reports.status"), ("portal", "messages.read"), ("privacy", "dossier.read")):
            with self.subTest(tab=key):
                before = AccessLogEntry.objects.count()
                r = self.client.get(self.tab(key))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, 'aria-current="page"')
                entries = list(AccessLogEntry.objects.filter(seq__gt=before))
                self.assertEqual([(e.action, e.basis, e.client_ref) for e in entries],
                                 [(action, "coach", self.own_client.public_id)])

    def test_another_coach_gets_404_for_every_tab_and_it_is_logged_as_denied(self):
        """GC-2.3"""
        self.login(self.other_coach)
        r = self.client.get(self.tab("questionnaires"))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_an_unknown_tab_is_404(self):
        self.login(self.coach)
        self.assertEqual(self.client.get(self.tab("nonsense")).status_code, 404)

    def test_emergency_access_does_not_open_the_reports_tab(self):
        """GC-2.3: break-glass reads the dossier, not the report states; the tab is neither
        offered nor opened, and the attempt is logged."""
        actions.break_glass(actor=self.other_coach, client=self.own_client, reason="Crisis, coach onbereikbaar",
                            now=self.now)
        self.login(self.other_coach)
        r = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, self.tab("reports"))
        self.assertContains(r, self.tab("questionnaires"))
        self.assertEqual(self.client.get(self.tab("reports")).status_code, 403)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_unread_messages_of_the_client_show_on_the_portal_tab_until_it_is_opened(self):
        """GC-6.3: the coach sees that the client wrote without opening the messages."""
        from coachdossier.clients.access import Grant
        from coachdossier.portal import actions as portal_actions

        portal_actions.send_message(actor=self.client_user, client=self.own_client, text="Mag de afspraak later?",
                                    now=self.now, grant=Grant("client"))
        self.login(self.coach)
        page = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertContains(page, "1 new")
        self.assertNotContains(page, "Mag de afspraak later?")
        self.assertContains(self.client.get(self.tab("portal")), "Mag de afspraak later?")
        self.assertNotContains(self.client.get(f"/clients/{self.own_client.public_id}/"), "1 new")


class NewEntryFormTestCase(BaseTestCase):
    """The new-entry form carries a one-time token, so the same form sent twice (a response lost
    on a flaky connection, a double click, the browser posting again) makes one entry."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.login(self.coach)

    def url(self, client=None):
        return f"/clients/{(client or self.own_client).public_id}/entries/new/"

    def token(self, client=None):
        return self.client.get(self.url(client)).context["form"]["idempotency_key"].value()

    def post(self, token, client=None, **fields):
        data = {"kind": "note", "occurred_on": self.now.date().isoformat(), "title": "Gesprek",
                "text": "Tweede gesprek, werkhervatting besproken.", "idempotency_key": token, **fields}
        return self.client.post(self.url(client), data)

    def entries(self, client=None):
        return DossierEntry.objects.filter(client=client or self.own_client)

    def messages(self, response):
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_the_form_carries_a_fresh_random_token_each_time_it_is_shown(self):
        r = self.client.get(self.url())
        token = r.context["form"]["idempotency_key"].value()
        self.assertContains(r, f'<input type="hidden" name="idempotency_key" value="{token}"', html=False)
        self.assertGreaterEqual(len(token), 20)
        self.assertNotEqual(self.token(), token)

    def test_the_same_form_sent_twice_makes_one_entry_and_the_second_answer_leads_to_it(self):
        """LAW-NEN7513: the repeat is in the log as the coach's work on that entry, not as a second entry."""
        token = self.token()
        first = self.post(token)
        self.assertRedirects(first, f"/clients/{self.own_client.public_id}/", fetch_redirect_response=False)
        entry = self.entries().get()
        self.client.cookies.pop("messages", None)  # the first answer never arrived, nor its message
        before = AccessLogEntry.objects.count()
        again = self.post(token)
        self.assertRedirects(again, f"/clients/{self.own_client.public_id}/entries/{entry.public_id}/",
                             fetch_redirect_response=False)
        self.assertEqual(self.messages(again), ["The entry has been added to the dossier."])
        self.assertEqual(list(self.entries()), [entry])
        logged = AccessLogEntry.objects.filter(seq__gt=before)
        self.assertEqual([(e.action, e.outcome, e.object_ref, e.client_ref, e.actor) for e in logged],
                         [("dossier.write", Outcome.ALLOWED, str(entry.public_id), self.own_client.public_id,
                           self.coach)])
        self.assertEqual(AccessLogEntry.objects.filter(action="entry.create").count(), 1)

    def test_gc_6_6_the_form_changed_and_sent_again_says_plainly_that_the_changes_were_not_saved(self):
        """The first answer was lost; the coach edited the still-open form and sent it again. The
        entry stays as first saved, and she is told so on its page instead of losing her edits
        without a word. LAW-NEN7513: logged as any repeat, one reference to the entry."""
        token = self.token()
        self.post(token)
        entry = self.entries().get()
        self.client.cookies.pop("messages", None)  # the first answer never arrived, nor its message
        before = AccessLogEntry.objects.count()
        again = self.post(token, text="Tweede gesprek, werkhervatting en re-integratieplan besproken.")
        self.assertRedirects(again, f"/clients/{self.own_client.public_id}/entries/{entry.public_id}/",
                             fetch_redirect_response=False)
        [message] = get_messages(again.wsgi_request)
        self.assertEqual((message.level_tag, str(message)), ("warning", CHANGES_NOT_SAVED))
        self.assertEqual(list(self.entries()), [entry])
        self.assertEqual(entry.versions.get().content["text"], "Tweede gesprek, werkhervatting besproken.")
        self.assertEqual([(e.action, e.object_ref) for e in AccessLogEntry.objects.filter(seq__gt=before)],
                         [("dossier.write", str(entry.public_id))])

    def test_the_warning_shows_on_the_entry_page_in_dutch_by_default(self):
        token = self.token()
        self.post(token)
        self.client.cookies.pop("messages", None)
        with override_settings(LANGUAGE_CODE="nl"):
            r = self.client.post(self.url(), {"kind": "note", "occurred_on": self.now.date().isoformat(),
                                              "title": "Gesprek", "text": "Anders.", "idempotency_key": token},
                                 follow=True)
        self.assertContains(r, "Deze aantekening was al opgeslagen")
        self.assertContains(r, "Tweede gesprek, werkhervatting besproken.")

    def test_gc_6_6_the_same_form_with_another_attachment_sent_again_is_not_saved_and_says_so(self):
        token = self.token()
        self.post(token, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        self.client.cookies.pop("messages", None)
        again = self.post(token, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF),
                                        SimpleUploadedFile("bijlage.pdf", DEMO_PDF)])
        self.assertEqual(self.messages(again), [CHANGES_NOT_SAVED])
        self.assertEqual(self.entries().get().attachments.count(), 1)
        self.client.cookies.pop("messages", None)
        again = self.post(token, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        self.assertEqual(self.messages(again), ["The entry has been added to the dossier."])

    def test_another_token_makes_another_entry_even_with_the_same_text(self):
        self.post(self.token())
        self.post(self.token())
        self.assertEqual(self.entries().count(), 2)

    def test_gc_2_3_a_token_used_for_one_client_makes_a_new_entry_for_another_and_never_leads_to_the_first(self):
        """GC-2.3: a token is looked up within the client it is sent to."""
        second = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Eva",
                             last="Smit")
        token = self.token()
        self.post(token)
        first_entry = self.entries().get()
        r = self.post(token, client=second)
        self.assertRedirects(r, f"/clients/{second.public_id}/", fetch_redirect_response=False)
        self.assertNotIn(str(first_entry.public_id), r["Location"])
        self.assertEqual((self.entries().count(), self.entries(second).count()), (1, 1))

    def test_gc_2_3_another_coach_sending_the_token_to_the_first_client_gets_404(self):
        """GC-2.3: the access policy answers before any token is looked at."""
        token = self.token()
        self.post(token)
        self.login(self.other_coach)
        r = self.post(token)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.entries().count(), 1)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)
        self.post(token, client=self.other_client)  # his own client: a new entry, his own
        self.assertEqual(self.entries(self.other_client).count(), 1)

    def test_an_invalid_form_saves_nothing_and_leaves_its_token_for_the_corrected_one(self):
        """PR-4: refused for a special category without a justification; corrected, it is saved once."""
        token = self.token()
        r = self.post(token, text="Hij is moslim.")
        self.assertEqual(r.status_code, 200)
        self.assertIn("text", r.context["form"].errors)
        self.assertEqual(r.context["form"]["idempotency_key"].value(), token)  # the corrected form sends it again
        self.assertFalse(self.entries().exists())
        r = self.post(token, text="Hij is moslim.", justification="Gebedstijden bepalen het rooster.")
        self.assertRedirects(r, f"/clients/{self.own_client.public_id}/", fetch_redirect_response=False)
        self.assertEqual(self.entries().count(), 1)

    def test_a_form_without_a_token_still_saves(self):
        """A page rendered before the token existed."""
        self.post("")
        self.post("")
        self.assertEqual(self.entries().count(), 2)

    def test_a_token_the_page_did_not_make_counts_as_none_and_is_never_an_error(self):
        """A hidden field's error would have nowhere to show (test_form_fuzz posts such values)."""
        for garbled in ("\x00abc", "kort", "x" * 65, "<script>"):
            with self.subTest(garbled=garbled):
                self.assertEqual(self.post(garbled).status_code, 302)
        self.assertEqual(self.entries().count(), 4)
        self.assertEqual(set(self.entries().values_list("idempotency_key_sha256", flat=True)), {""})
