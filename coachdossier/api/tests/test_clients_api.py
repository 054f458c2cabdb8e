"""The client-records API behaves like the pages: same actions, same policy, same log."""

import datetime
import json
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts.models import ApiToken
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions
from coachdossier.clients import api as clients_api
from coachdossier.clients.models import Client, DossierEntry, EntryKind, Principal
from coachdossier.test import BaseTestCase


class ApiTestCase(BaseTestCase):
    def token(self, user):
        return account_actions.create_api_token(actor=user, name="test", now=self.now)[1]

    def call(self, user, method, path, data=None, headers=None):
        """`data` goes as JSON, or as multipart/form-data with method "POST_MULTIPART"; `headers`
        (such as Idempotency-Key) go with every kind of request, next to the user's token."""
        headers = {**({"Authorization": f"Bearer {self.token(user)}"} if user else {}), **(headers or {})}
        if method == "POST_MULTIPART":
            return self.client.post(path, data, headers=headers)
        if data is not None:
            return self.client.generic(method, path, json.dumps(data), content_type="application/json",
                                       headers=headers)
        return self.client.generic(method, path, headers=headers)


class ClientDetailApiTestCase(ApiTestCase):
    def test_the_coach_reads_the_dossier_and_the_read_is_logged_with_the_api_channel(self):
        """GC-2.3, LAW-NEN7513: API calls are logged like page views."""
        actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE, occurred_on=self.now.date(),
                          title="Intake", text="Eerste gesprek verliep goed.", now=self.now)
        before = AccessLogEntry.objects.count()
        r = self.call(self.coach, "GET", f"/api/clients/{self.own_client.public_id}")
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["personal"]["first_name"], "Carla")
        self.assertEqual(body["entries"][0]["text"], "Eerste gesprek verliep goed.")
        self.assertEqual(body["goals"][0]["text"], "Terug naar werk in eigen tempo")
        entry = AccessLogEntry.objects.get(seq__gt=before, client_ref=self.own_client.public_id)
        self.assertEqual((entry.action, entry.channel, entry.basis, entry.actor), ("dossier.read", "api", "coach",
                                                                                    self.coach))
        self.assertIn("no-store", r["Cache-Control"])

    def test_medical_entries_are_left_out_unless_asked_for_and_asking_is_logged(self):
        """PR-4"""
        actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE, occurred_on=self.now.date(),
                          title="Huisarts", text="Medicatie aangepast.", is_medical=True,
                          justification="Nodig om de belastbaarheid in te schatten.", now=self.now)
        r = self.call(self.coach, "GET", f"/api/clients/{self.own_client.public_id}")
        self.assertEqual(r.json()["entries"], [])
        self.assertEqual(r.json()["medical_hidden"], 1)
        r = self.call(self.coach, "GET", f"/api/clients/{self.own_client.public_id}?medical=true")
        self.assertEqual(len(r.json()["entries"]), 1)
        self.assertEqual(AccessLogEntry.objects.last().action, "dossier.read_medical")

    def test_another_coach_gets_404_logged_as_denied(self):
        """GC-2.3"""
        r = self.call(self.other_coach, "GET", f"/api/clients/{self.own_client.public_id}")
        self.assertEqual(r.status_code, 404)
        last = AccessLogEntry.objects.last()
        self.assertEqual((last.outcome, last.actor), (Outcome.DENIED, self.other_coach))


class EntryPagingApiTestCase(ApiTestCase):
    """A dossier of years holds thousands of entries: the API hands them out a page at a time,
    newest first, each page read through the access policy and logged like the dossier page."""

    def setUp(self):
        super().setUp()
        paging = mock.patch.object(clients_api, "PAGE_SIZE", 3)  # pages of 3 instead of 50
        paging.start()
        self.addCleanup(paging.stop)

    def add(self, n, *, first=1, medical=False):
        for i in range(first, first + n):
            actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                              occurred_on=self.now.date() - datetime.timedelta(days=100 - i), title=f"Gesprek {i}",
                              text="Goed gesprek.", is_medical=medical,
                              justification="Nodig voor de belastbaarheid." if medical else "", now=self.now)

    def titles(self, body):
        return [e["title"] for e in body]

    def get(self, path, user=None):
        r = self.call(user or self.coach, "GET", path)
        self.assertEqual(r.status_code, 200, r.content)
        return r.json()

    def test_the_dossier_carries_only_the_newest_page_of_entries_with_their_count_and_the_next_page(self):
        self.add(7)
        body = self.get(f"/api/clients/{self.own_client.public_id}")
        self.assertEqual(self.titles(body["entries"]), ["Gesprek 7", "Gesprek 6", "Gesprek 5"])
        self.assertEqual(body["entry_count"], 7)
        self.assertEqual(body["entries_next"], f"/api/clients/{self.own_client.public_id}/entries?page=2")
        self.assertEqual(self.titles(self.get(body["entries_next"])["results"]), ["Gesprek 4", "Gesprek 3",
                                                                                   "Gesprek 2"])

    def test_a_dossier_that_fits_one_page_has_every_entry_and_no_next_page(self):
        self.add(3)
        body = self.get(f"/api/clients/{self.own_client.public_id}")
        self.assertEqual((len(body["entries"]), body["entry_count"], body["entries_next"]), (3, 3, None))

    def test_the_entries_come_a_page_at_a_time_newest_first_and_past_the_end_empty(self):
        self.add(7)
        path = f"/api/clients/{self.own_client.public_id}/entries"
        pages = [self.get(f"{path}?page={n}") for n in (1, 2, 3, 4, 10**30)]
        self.assertEqual([(p["count"], p["page"], self.titles(p["results"])) for p in pages], [
            (7, 1, ["Gesprek 7", "Gesprek 6", "Gesprek 5"]),
            (7, 2, ["Gesprek 4", "Gesprek 3", "Gesprek 2"]),
            (7, 3, ["Gesprek 1"]),
            (7, 4, []),
            (7, 10**30, []),
        ])
        self.assertEqual(self.get(f"{path}?page=0")["page"], 1)

    def test_law_nen7513_every_page_read_is_logged_as_a_dossier_read_through_the_api(self):
        """GC-2.3, LAW-NEN7513"""
        self.add(4)
        before = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        self.get(f"/api/clients/{self.own_client.public_id}/entries?page=2")
        entry = AccessLogEntry.objects.get(seq__gt=before, client_ref=self.own_client.public_id)
        self.assertEqual((entry.action, entry.channel, entry.basis, entry.actor, entry.outcome),
                         ("dossier.read", "api", "coach", self.coach, Outcome.ALLOWED))

    def test_pr_4_medical_entries_are_left_out_of_every_page_unless_asked_for_and_asking_is_logged(self):
        """PR-4: as on the dossier page: hidden from the list and its count; asked for, the read
        is logged as a medical read, and the next page keeps asking."""
        self.add(2)
        self.add(2, first=3, medical=True)
        path = f"/api/clients/{self.own_client.public_id}/entries"
        plain = self.get(path)
        self.assertEqual((plain["count"], self.titles(plain["results"])), (2, ["Gesprek 2", "Gesprek 1"]))
        detail = self.get(f"/api/clients/{self.own_client.public_id}")
        self.assertEqual((detail["entry_count"], detail["medical_hidden"], detail["entries_next"]), (2, 2, None))
        self.assertEqual(AccessLogEntry.objects.last().action, "dossier.read")
        medical = self.get(f"{path}?medical=true")
        self.assertEqual((medical["count"], self.titles(medical["results"])),
                         (4, ["Gesprek 4", "Gesprek 3", "Gesprek 2"]))
        self.assertEqual(AccessLogEntry.objects.last().action, "dossier.read_medical")
        detail = self.get(f"/api/clients/{self.own_client.public_id}?medical=true")
        self.assertEqual(detail["entries_next"], f"/api/clients/{self.own_client.public_id}/entries?page=2&medical=true")

    def test_gc_2_3_another_coach_gets_404_for_the_entries_logged_as_denied(self):
        """GC-2.3"""
        self.add(1)
        r = self.call(self.other_coach, "GET", f"/api/clients/{self.own_client.public_id}/entries")
        self.assertEqual(r.status_code, 404)
        self.assertNotIn("Gesprek", r.content.decode())
        last = AccessLogEntry.objects.last()
        self.assertEqual((last.outcome, last.actor, last.client_ref), (Outcome.DENIED, self.other_coach,
                                                                       self.own_client.public_id))

    def test_the_paged_entries_are_described_in_the_openapi_document(self):
        schema = self.client.get("/api/openapi.json").json()
        self.assertIn("/api/clients/{client_id}/entries", schema["paths"])
        self.assertEqual(set(schema["paths"]["/api/clients/{client_id}/entries"]), {"get", "post"})
        detail = schema["components"]["schemas"]["ClientDetail"]["properties"]
        self.assertIn("entries_next", detail)
        self.assertIn("at most 50", detail["entries"]["description"])


class ClientListApiTestCase(ApiTestCase):
    def test_a_coach_lists_and_searches_only_her_own_caseload(self):
        """GC-2.3"""
        r = self.call(self.coach, "GET", "/api/clients/")
        self.assertEqual([c["reference"] for c in r.json()["results"]], [self.own_client.reference])
        self.assertEqual(self.call(self.coach, "GET", "/api/clients/?q=jansen").json()["results"], [])
        self.assertEqual(len(self.call(self.coach, "GET", "/api/clients/?q=vri").json()["results"]), 1)
        self.assertEqual(AccessLogEntry.objects.last().action, "client.search")

    def test_management_sees_metadata_of_every_client_and_no_content(self):
        """PR-7: names, status, coach and dates only."""
        r = self.call(self.management, "GET", "/api/clients/")
        results = r.json()["results"]
        self.assertEqual(len(results), 2)
        self.assertEqual(set(results[0]), {"id", "reference", "name", "trajectory"})
        self.assertNotIn("hours_used", json.dumps(results))
        self.assertEqual(AccessLogEntry.objects.filter(action="client.list").count(), 2)

    def test_a_page_far_past_the_end_is_empty_rather_than_a_server_error(self):
        """Found by script/fuzz-api: page=775312575569852074521788416 overflowed SQLite's OFFSET (500)."""
        for page in (2, 775312575569852074521788416):
            r = self.call(self.coach, "GET", f"/api/clients/?page={page}")
            self.assertEqual(r.status_code, 200)
            self.assertEqual((r.json()["count"], r.json()["page"], r.json()["results"]), (1, page, []))


class WriteApiTestCase(ApiTestCase):
    def test_an_entry_with_an_attachment_is_added_through_multipart(self):
        pdf = SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        r = self.call(self.coach, "POST_MULTIPART", f"/api/clients/{self.own_client.public_id}/entries", {
            "kind": "correspondence_in", "occurred_on": "2026-11-20", "title": "Brief", "files": [pdf]})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["attachments"][0]["filename"], "brief.pdf")

    def post_entry(self, user, client, key=None, **fields):
        data = {"kind": "note", "occurred_on": "2026-11-20", "title": "Gesprek", "text": "Goed gesprek.", **fields}
        return self.call(user, "POST_MULTIPART", f"/api/clients/{client.public_id}/entries", data,
                         headers={"Idempotency-Key": key} if key is not None else None)

    def test_the_same_idempotency_key_sent_again_answers_200_with_the_first_entry_and_adds_nothing(self):
        """LAW-NEN7513: the repeat is logged as the coach's work on that entry."""
        first = self.post_entry(self.coach, self.own_client, key="3f1c0d9e-retry")
        self.assertEqual(first.status_code, 201, first.content)
        again = self.post_entry(self.coach, self.own_client, key="3f1c0d9e-retry")
        self.assertEqual((again.status_code, again.json()), (200, first.json()))
        self.assertEqual(DossierEntry.objects.filter(client=self.own_client).count(), 1)
        last = AccessLogEntry.objects.last()
        self.assertEqual((last.action, last.object_ref, last.channel), ("dossier.write", first.json()["id"], "api"))

    def test_gc_6_6_the_same_idempotency_key_with_other_content_answers_409_naming_the_entry_and_saves_nothing(self):
        """Same key, other payload: a conflict, not a 200 that would pass for "saved". LAW-NEN7513:
        logged as any repeat, one reference to the entry and no content."""
        first = self.post_entry(self.coach, self.own_client, key="3f1c0d9e-retry").json()
        before = AccessLogEntry.objects.count()
        r = self.post_entry(self.coach, self.own_client, key="3f1c0d9e-retry", text="Goed gesprek, met aanvulling.")
        self.assertEqual(r.status_code, 409, r.content)
        self.assertEqual(r.json()["entry"], first["id"])
        self.assertIn("Nothing of this request was saved", r.json()["detail"])
        entry = DossierEntry.objects.get(client=self.own_client)
        self.assertEqual((entry.version_count, entry.current.content["text"]), (1, "Goed gesprek."))
        logged = AccessLogEntry.objects.filter(seq__gt=before, client_ref=self.own_client.public_id)
        self.assertEqual([(e.action, e.object_ref, e.channel) for e in logged], [("dossier.write", first["id"], "api")])

    def test_gc_6_6_an_attachment_sent_again_with_its_key_is_a_repeat_and_another_attachment_a_conflict(self):
        def pdf(data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"):
            return SimpleUploadedFile("brief.pdf", data)

        first = self.post_entry(self.coach, self.own_client, key="k", files=[pdf()])
        self.assertEqual(first.status_code, 201, first.content)
        again = self.post_entry(self.coach, self.own_client, key="k", files=[pdf()])
        self.assertEqual((again.status_code, again.json()), (200, first.json()))
        other = self.post_entry(self.coach, self.own_client, key="k",
                                files=[pdf(b"%PDF-1.4\n2 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")])
        self.assertEqual((other.status_code, other.json()["entry"]), (409, first.json()["id"]))
        self.assertEqual(DossierEntry.objects.get(client=self.own_client).attachments.count(), 1)

    def test_another_idempotency_key_or_none_adds_another_entry(self):
        ids = {self.post_entry(self.coach, self.own_client, key=key).json()["id"] for key in ("a", "b", None, None)}
        self.assertEqual(len(ids), 4)

    def test_gc_2_3_an_idempotency_key_reaches_no_other_clients_entry(self):
        """GC-2.3: the key is looked up within the client it is sent for, after the access policy."""
        first = self.post_entry(self.coach, self.own_client, key="k").json()
        r = self.post_entry(self.other_coach, self.own_client, key="k")
        self.assertEqual((r.status_code, r.json()), (404, {"detail": "Not found."}))
        r = self.post_entry(self.other_coach, self.other_client, key="k")
        self.assertEqual(r.status_code, 201)
        self.assertNotEqual(r.json()["id"], first["id"])
        self.assertEqual(DossierEntry.objects.filter(client=self.own_client).count(), 1)

    def test_refused_input_with_an_idempotency_key_saves_nothing_and_leaves_the_key_unused(self):
        """PR-4"""
        r = self.post_entry(self.coach, self.own_client, key="k", text="Hij is moslim.")
        self.assertEqual(r.status_code, 422)
        self.assertFalse(DossierEntry.objects.filter(client=self.own_client).exists())
        r = self.post_entry(self.coach, self.own_client, key="k", text="Hij is moslim.",
                            justification="Gebedstijden bepalen het rooster.")
        self.assertEqual(r.status_code, 201)

    def test_the_idempotency_key_header_is_documented(self):
        from coachdossier.api.api import api

        operation = api.get_openapi_schema()["paths"]["/api/clients/{client_id}/entries"]["post"]
        [header] = [p for p in operation["parameters"] if p["in"] == "header"]
        self.assertEqual((header["name"], header["required"]), ("Idempotency-Key", False))
        self.assertIn(200, operation["responses"])
        conflict = operation["responses"][409]["content"]["application/json"]["schema"]
        self.assertEqual(conflict, {"$ref": "#/components/schemas/EntryConflict"})

    def test_a_multipart_body_without_a_boundary_gives_400_and_saves_nothing(self):
        """Found by script/fuzz-api: Django's MultiPartParserError surfaced as a 500."""
        before = DossierEntry.objects.count()
        r = self.client.post(f"/api/clients/{self.own_client.public_id}/entries", b"kind=note",
                             content_type="multipart/form-data", HTTP_AUTHORIZATION=f"Bearer {self.token(self.coach)}")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json(), {"detail": "The request body is not valid multipart/form-data."})
        self.assertEqual(DossierEntry.objects.count(), before)

    def test_bad_input_gives_422_with_field_errors_and_saves_nothing(self):
        """GC-9.1: a BSN for a client whose principal is not UWV, an invalid postcode."""
        r = self.call(self.management, "POST", "/api/clients/", {
            "first_name": "Eva", "last_name": "Smit", "postcode": "12345", "bsn": "111222333",
            "principal": str(self.employer.public_id), "coach": str(self.coach.public_id), "source": "umbrella"})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(set(r.json()["errors"]), {"postcode", "bsn"})
        self.assertEqual(Client.objects.count(), 2)

    def test_a_mistyped_year_on_an_entry_or_a_session_gives_422_with_the_field_error(self):
        """Year 0001 for 2026 was accepted from the API as from the page."""
        r = self.post_entry(self.coach, self.own_client, occurred_on="0001-11-20")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(list(r.json()["errors"]), ["occurred_on"])
        r = self.call(self.coach, "POST", f"/api/clients/{self.own_client.public_id}/sessions",
                      {"date": "0001-11-20", "minutes": 60, "mode": "video"})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(list(r.json()["errors"]), ["date"])
        self.assertFalse(DossierEntry.objects.filter(client=self.own_client).exists())
        self.assertFalse(self.own_client.current_trajectory.sessions.exists())

    def test_a_mistyped_agreement_year_gives_422_with_the_field_error_and_registers_no_client(self):
        """GC-0.4: year 0001 for 2026 as the agreement date would let sessions of year 1 through."""
        r = self.call(self.management, "POST", "/api/clients/", {
            "first_name": "Eva", "last_name": "Smit", "principal": str(self.employer.public_id),
            "coach": str(self.coach.public_id), "source": "umbrella", "agreement_date": "0001-11-20"})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(list(r.json()["errors"]), ["agreement_date"])
        self.assertEqual(Client.objects.count(), 2)

    def test_an_executable_renamed_to_pdf_is_refused_with_422_and_nothing_stored(self):
        """GC-6.6"""
        exe = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        before = DossierEntry.objects.count()
        r = self.call(self.coach, "POST_MULTIPART", f"/api/clients/{self.own_client.public_id}/entries", {
            "kind": "note", "occurred_on": "2026-11-20", "title": "Brief", "files": [exe]})
        self.assertEqual(r.status_code, 422)
        self.assertIn("files", r.json()["errors"])
        self.assertEqual(DossierEntry.objects.count(), before)

    def test_editing_an_entry_keeps_the_earlier_version(self):
        entry = actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                  occurred_on=self.now.date(), title="Werk", text="32 uur", now=self.now)
        path = f"/api/clients/{self.own_client.public_id}/entries/{entry.public_id}"
        self.assertEqual(self.call(self.coach, "PUT", path, {"title": "Werk", "text": "24 uur"}).status_code, 422)
        r = self.call(self.coach, "PUT", path, {"title": "Werk", "text": "24 uur", "reason": "Uren gewijzigd"})
        self.assertEqual(r.json()["version"], 2)
        versions = self.call(self.coach, "GET", path).json()["versions"]
        self.assertEqual([v["text"] for v in versions], ["24 uur", "32 uur"])

    def test_activation_without_a_goal_is_refused_with_422(self):
        """GC-7.1"""
        client = actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                         personal=__import__("coachdossier.clients.models").clients.models
                                         .PersonalData(first_name="Eva", last_name="Smit"))
        trajectory = actions.open_trajectory(actor=self.management, client=client, principal=self.employer,
                                             coach=self.coach, source="own", now=self.now)
        r = self.call(self.management, "POST",
                      f"/api/clients/{client.public_id}/trajectories/{trajectory.public_id}/activate")
        self.assertEqual(r.status_code, 422)
        self.assertIn("goal", r.json()["errors"])

    def test_management_registers_a_principal(self):
        """GC-0.5"""
        r = self.call(self.management, "POST", "/api/clients/principals", {"name": "Gemeente Zeist",
                                                                           "kind": "municipality"})
        self.assertEqual(r.status_code, 201)
        self.assertTrue(Principal.objects.filter(name="Gemeente Zeist").exists())
        self.assertEqual(self.call(self.management, "POST", "/api/clients/principals",
                                   {"name": "X", "kind": "church"}).status_code, 422)


class TokenApiTestCase(ApiTestCase):
    def test_no_token_gives_401(self):
        self.assertEqual(self.client.get("/api/clients/").status_code, 401)

    def test_a_malformed_token_gives_401_and_is_logged(self):
        """LAW-32"""
        with self.assertLogs("coachdossier.security", "WARNING") as logs:
            r = self.client.get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer not-a-token")
        self.assertEqual(r.status_code, 401)
        self.assertIn("malformed token", logs.output[0])

    def test_a_token_is_stored_only_as_a_hash_and_works_until_revoked(self):
        token, secret = account_actions.create_api_token(actor=self.coach, name="script", now=self.now)
        self.assertNotIn(secret, str(ApiToken.objects.filter(pk=token.pk).values().get()))
        self.assertEqual(token.digest, ApiToken.digest_of(secret))
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        self.assertEqual(self.client.get("/api/accounts/me", **auth).json()["email"], "alice@example.com")
        listed = self.client.get("/api/accounts/tokens", **auth).json()
        self.assertNotIn(secret, json.dumps(listed))
        self.assertEqual(self.client.post(f"/api/accounts/tokens/{token.public_id}/revoke", **auth).status_code, 200)
        self.assertEqual(self.client.get("/api/accounts/me", **auth).status_code, 401)

    def test_a_disabled_accounts_tokens_stop_working(self):
        secret = self.token(self.coach)
        account_actions.disable_user(actor=self.management, user=self.coach)
        self.assertEqual(self.client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code, 401)

    def test_the_secret_is_shown_once_on_the_tokens_page(self):
        self.login(self.coach)
        r = self.client.post("/accounts/tokens/", {"name": "script"})
        secret = r.context["secret"]
        self.assertContains(r, secret)
        self.assertNotContains(self.client.get("/accounts/tokens/"), secret)

    def test_a_session_of_staff_without_mfa_gets_403_json(self):
        """LAW-32"""
        from coachdossier.test import make_user

        user = make_user("nomfa@example.com", "Zonder MFA", "coach", totp=False)
        self.client.force_login(user)
        r = self.client.get("/api/accounts/me")
        self.assertEqual(r.status_code, 403)
        self.assertIn("mfa", r.json()["detail"])


class ManagementTrajectoryApiTestCase(ApiTestCase):
    """Management's client page in the API (PR-7: no content): the trajectories, opening a new
    one, assigning a coach; the page's access-log entries; bad input 422 and nothing saved."""

    def url(self, client=None, suffix=""):
        return f"/api/clients/{(client or self.own_client).public_id}/trajectories{suffix}"

    def test_pr_7_management_reads_the_trajectories_without_content_logged_as_client_see(self):
        before = AccessLogEntry.objects.last().seq
        r = self.call(self.management, "GET", self.url())
        self.assertEqual(r.status_code, 200, r.content)
        [trajectory] = r.json()
        self.assertEqual((trajectory["coach"], trajectory["goal_described"], trajectory["agreement_in_dossier"]),
                         ("Alice Coach", True, False))
        self.assertNotIn("Terug naar werk", r.content.decode())  # the goal's text is content
        logged = AccessLogEntry.objects.filter(seq__gt=before, client_ref=self.own_client.public_id)
        self.assertEqual([(e.action, e.basis) for e in logged], [("client.see", "management")])

    def test_management_opens_a_new_trajectory_once_the_last_one_is_closed(self):
        actions.close_trajectory(actor=self.management, trajectory=self.own_client.current_trajectory, now=self.now)
        r = self.call(self.management, "POST", self.url(), {
            "principal": str(self.employer.public_id), "coach": str(self.other_coach.public_id), "source": "umbrella",
            "goal_text": "Duurzaam aan het werk"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["status"], r.json()["coach"]), ("intake", "Bob Coach"))
        self.assertEqual(self.own_client.trajectories.count(), 2)

    def test_opening_a_second_open_trajectory_is_422_and_opens_nothing(self):
        r = self.call(self.management, "POST", self.url(), {
            "principal": str(self.employer.public_id), "coach": str(self.coach.public_id), "source": "umbrella"})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("client", r.json()["errors"])
        self.assertEqual(self.own_client.trajectories.count(), 1)

    def test_an_unknown_principal_is_422_naming_the_field(self):
        r = self.call(self.management, "POST", self.url(), {
            "principal": str(self.own_client.public_id), "coach": str(self.coach.public_id), "source": "umbrella"})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["principal"]))

    def test_management_assigns_another_coach_and_the_change_is_kept(self):
        trajectory = self.own_client.current_trajectory
        r = self.call(self.management, "POST", self.url(suffix=f"/{trajectory.public_id}/coach"),
                      {"coach": str(self.other_coach.public_id)})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual([(c["field"], c["old"], c["new"]) for c in r.json()["changes"]],
                         [("coach", "Alice Coach", "Bob Coach")])

    def test_gc_6_2_a_closed_trajectory_gets_no_new_coach_who_would_gain_its_dossier(self):
        trajectory = self.own_client.current_trajectory
        actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        r = self.call(self.management, "POST", self.url(suffix=f"/{trajectory.public_id}/coach"),
                      {"coach": str(self.other_coach.public_id)})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["coach"]))
        trajectory.refresh_from_db()
        self.assertEqual(trajectory.coach, self.coach)
        self.assertFalse(Client.objects.visible_to(self.other_coach, "dossier.read").filter(pk=self.own_client.pk)
                         .exists())

    def test_a_coach_may_not_use_managements_operations(self):
        trajectory = self.own_client.current_trajectory
        self.assertEqual(self.call(self.coach, "GET", self.url()).status_code, 403)
        self.assertEqual(self.call(self.coach, "POST", self.url(suffix=f"/{trajectory.public_id}/coach"),
                                   {"coach": str(self.other_coach.public_id)}).status_code, 403)


class PageLimitsInTheApiTestCase(ApiTestCase):
    """The page forms refuse these; the API took them (and PostgreSQL would have refused the
    column with a 500). Now the actions refuse them for every caller: 422, nothing saved."""

    def test_a_principal_name_longer_than_its_column_is_422_and_nothing_saved(self):
        r = self.call(self.management, "POST", "/api/clients/principals", {"name": "B" * 201, "kind": "employer"})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["name"]))
        self.assertFalse(Principal.objects.filter(name="B" * 201).exists())

    def test_a_principal_contact_email_that_is_no_address_is_422(self):
        r = self.call(self.management, "POST", "/api/clients/principals",
                      {"name": "Gemeente", "kind": "municipality", "contact_email": "hr at gemeente"})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["contact_email"]))
        self.assertFalse(Principal.objects.filter(name="Gemeente").exists())

    def test_a_clients_email_that_is_no_address_is_422_and_the_personal_data_stay(self):
        r = self.call(self.coach, "PUT", f"/api/clients/{self.own_client.public_id}/personal",
                      {"first_name": "Carla", "last_name": "de Vries", "email": "carla@"})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["email"]))
        self.assertEqual(Client.objects.get(pk=self.own_client.pk).personal.email, "carla@example.com")

    def test_an_entry_title_longer_than_the_forms_limit_is_422(self):
        r = self.call(self.coach, "POST_MULTIPART", f"/api/clients/{self.own_client.public_id}/entries",
                      {"kind": "note", "occurred_on": "2026-11-20", "title": "T" * 201, "text": "Gesprek."})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["title"]))
        self.assertFalse(DossierEntry.objects.filter(client=self.own_client).exists())

    def test_a_consent_purpose_longer_than_the_forms_limit_is_422(self):
        r = self.call(self.coach, "POST_MULTIPART", f"/api/clients/{self.own_client.public_id}/consents", {
            "kind": "disclosure", "given_via": "writing", "valid_from": "2026-11-20", "recipient": "Bedrijfsarts",
            "purpose": "P" * 501, "data_scope": "Voortgang",
            "evidence": SimpleUploadedFile("bewijs.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["purpose"]))
        self.assertFalse(self.own_client.consents.exists())

    def test_a_first_name_longer_than_the_forms_limit_is_422(self):
        r = self.call(self.coach, "PUT", f"/api/clients/{self.own_client.public_id}/personal",
                      {"first_name": "C" * 81, "last_name": "de Vries"})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["first_name"]))
        self.assertEqual(Client.objects.get(pk=self.own_client.pk).personal.first_name, "Carla")

    def test_an_edit_reason_longer_than_the_forms_limit_is_422_and_no_version_is_written(self):
        entry = actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                  occurred_on=self.now.date(), title="Intake", text="Gesprek.", now=self.now)
        r = self.call(self.coach, "PUT", f"/api/clients/{self.own_client.public_id}/entries/{entry.public_id}",
                      {"title": "Intake", "text": "Gesprek, aangevuld.", "reason": "R" * 501})
        self.assertEqual((r.status_code, list(r.json()["errors"])), (422, ["reason"]))
        entry.refresh_from_db()
        self.assertEqual(entry.version_count, 1)
