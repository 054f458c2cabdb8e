"""GC-9.1: the coach sends a questionnaire, the client fills it in in the portal (saving to
continue later), results with bands go into the dossier and show as trends."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from coachdossier.questionnaires import actions, summary
from coachdossier.questionnaires.definitions import INSTRUMENTS_DIR, DefinitionError
from coachdossier.questionnaires.models import Administration, QuestionnaireDefinition, Status
from coachdossier.test import BaseTestCase

# Hand-computed DASS-21 example: depression items q3 q5 q10 q13 q16 q17 q21, anxiety q2 q4 q7
# q9 q15 q19 q20, stress q1 q6 q8 q11 q12 q14 q18. Depression all 2 → 14 × 2 = 28 (severe,
# 21-27 is moderate... 28+ extremely severe); anxiety all 1 → 7 × 2 = 14 (moderate, 10-14);
# stress all 0 → 0 (normal).
DEPRESSION = ["q3", "q5", "q10", "q13", "q16", "q17", "q21"]
ANXIETY = ["q2", "q4", "q7", "q9", "q15", "q19", "q20"]
STRESS = ["q1", "q6", "q8", "q11", "q12", "q14", "q18"]
EXAMPLE = {**{i: 2 for i in DEPRESSION}, **{i: 1 for i in ANXIETY}, **{i: 0 for i in STRESS}}


class QuestionnaireTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.ensure_shipped(now=cls.now)
        cls.dass = QuestionnaireDefinition.objects.get(key="dass-21")

    def send(self, **kwargs):
        return actions.send_questionnaire(actor=self.coach, client=self.own_client, definition=self.dass,
                                          moment=kwargs.pop("moment", "intake"), now=self.now, **kwargs)


class LoadingTestCase(QuestionnaireTestCase):
    def test_the_shipped_instruments_are_loaded_once_on_first_use(self):
        actions.ensure_shipped(now=self.now)
        self.assertEqual(sorted(QuestionnaireDefinition.objects.values_list("key", flat=True)),
                         ["dass-21", "demo-werkvermogen"])

    def test_the_command_loads_a_new_version_as_a_new_row(self):
        source = (INSTRUMENTS_DIR / "demo-werkvermogen.yaml").read_text().replace("\nversion: 1\n", "\nversion: 2\n", 1)
        path = self._write(source)
        out = StringIO()
        call_command("load_questionnaire", path, stdout=out)
        self.assertIn("version 2", out.getvalue())
        self.assertEqual(QuestionnaireDefinition.objects.filter(key="demo-werkvermogen").count(), 2)
        call_command("load_questionnaire", path, stdout=out)
        self.assertIn("already loaded", out.getvalue())

    def test_a_broken_definition_is_refused_with_every_problem_and_nothing_is_loaded(self):
        source = (INSTRUMENTS_DIR / "demo-werkvermogen.yaml").read_text()
        source = source.replace("\nversion: 1\n", "\nversion: 3\n", 1).replace("scale: agree-5", "scale: nope")
        before = QuestionnaireDefinition.objects.count()
        with self.assertRaises(CommandError) as caught:
            call_command("load_questionnaire", self._write(source), stdout=StringIO())
        message = str(caught.exception)
        self.assertIn("nothing loaded", message)
        self.assertGreater(message.count("  - line "), 1)  # every problem, each with its line
        self.assertEqual(QuestionnaireDefinition.objects.count(), before)

    def test_changed_content_under_a_loaded_version_is_refused(self):
        source = (INSTRUMENTS_DIR / "demo-werkvermogen.yaml").read_text().replace("Helemaal mee oneens", "Oneens!")
        with self.assertRaises(DefinitionError):
            actions.load_questionnaire(actor=None, source=source, now=self.now)

    def test_a_loaded_definition_cannot_be_changed(self):
        self.dass.source += "\n# edited"
        with self.assertRaises(ValueError):
            self.dass.save()

    def _write(self, text):
        import tempfile

        handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        handle.write(text)
        handle.close()
        return handle.name


class SendAndFillTestCase(QuestionnaireTestCase):
    def test_sending_mails_the_client_a_link_without_content(self):
        with self.captureOnCommitCallbacks(execute=True):
            administration = self.send()
        self.assertEqual(len(mail.outbox), 1)
        body = mail.outbox[0].body
        self.assertIn(reverse("questionnaires:fill", args=[administration.public_id]), body)
        self.assertNotIn("DASS", body + mail.outbox[0].subject)

    def test_the_coach_sends_from_the_client_page(self):
        self.login(self.coach)
        page = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"]))
        self.assertContains(page, "Questionnaires" if "Vragenlijsten" not in page.content.decode() else "Vragenlijsten")
        response = self.client.post(reverse("questionnaires:send", args=[self.own_client.public_id]),
                                    {"definition": self.dass.public_id, "moment": "intake"})
        self.assertRedirects(response, reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"]))
        self.assertEqual(Administration.objects.get().status, Status.SENT)

    def test_a_client_without_portal_account_cannot_be_sent_one(self):
        with self.assertRaises(ValidationError):
            actions.send_questionnaire(actor=self.coach, client=self.own_client.__class__.objects.create(
                reference="X-1"), definition=self.dass, now=self.now)

    def test_the_client_saves_halfway_and_continues_later(self):
        administration = self.send()
        self.login(self.client_user)
        url = reverse("questionnaires:fill", args=[administration.public_id])
        response = self.client.post(url, {"q1": "2", "q2": "1", "action": "save"})
        self.assertRedirects(response, url)
        administration.refresh_from_db()
        self.assertEqual(administration.status, Status.IN_PROGRESS)
        self.assertEqual(administration.answers, {"q1": 2, "q2": 1})
        self.assertNotIn(b'"q1"', bytes(administration.answers_sealed))
        page = self.client.get(url)
        self.assertContains(page, 'value="2" required' if False else 'name="q1" value="2"')
        self.assertContains(page, "checked", count=2)

    def test_gc_9_1_the_answers_show_the_numbers_the_instructions_ask_to_choose(self):
        """The DASS-21 asks to "choose a number 0, 1, 2 or 3"; the answers showed only words."""
        administration = self.send()
        self.login(self.client_user)
        self.client.cookies["django_language"] = "nl"
        page = self.client.get(reverse("questionnaires:fill", args=[administration.public_id]))
        self.assertContains(page, "kies het getal 0, 1, 2 of 3")
        self.assertContains(page, "0 – Was helemaal niet op mij van toepassing")
        self.assertContains(page, "3 – Was heel erg of meestal op mij van toepassing")

    def test_submitting_with_unanswered_questions_marks_them_and_saves_nothing(self):
        administration = self.send()
        self.login(self.client_user)
        response = self.client.post(reverse("questionnaires:fill", args=[administration.public_id]),
                                    {"q1": "2", "action": "submit"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("q2", response.context["form"].errors)
        administration.refresh_from_db()
        self.assertEqual(administration.status, Status.SENT)

    def test_an_answer_out_of_scale_is_refused_next_to_the_question(self):
        administration = self.send()
        self.login(self.client_user)
        response = self.client.post(reverse("questionnaires:fill", args=[administration.public_id]),
                                    {**{k: str(v) for k, v in EXAMPLE.items()}, "q1": "7", "action": "submit"})
        self.assertIn("q1", response.context["form"].errors)
        self.assertEqual(Administration.objects.get().status, Status.SENT)

    def test_the_action_refuses_an_out_of_scale_answer_too(self):
        administration = self.send()
        with self.assertRaises(ValidationError) as caught:
            actions.save_answers(actor=self.client_user, administration=administration,
                                 answers={**EXAMPLE, "q1": 4}, submit=True, now=self.now)
        self.assertIn("q1", caught.exception.message_dict)

    def test_the_client_submits_and_sees_the_hand_computed_result_with_bands(self):
        """DASS-21 against a hand-computed example: depression 28, anxiety 14, stress 0."""
        administration = self.send()
        self.login(self.client_user)
        url = reverse("questionnaires:fill", args=[administration.public_id])
        response = self.client.post(url, {**{k: str(v) for k, v in EXAMPLE.items()}, "action": "submit"})
        self.assertRedirects(response, url)
        administration.refresh_from_db()
        scores = {g["key"]: (g["score"], g["band"]["label"]["en"]) for g in administration.result["subscales"]}
        self.assertEqual(scores, {"depression": (28, "Extremely severe"), "anxiety": (14, "Moderate"),
                                  "stress": (0, "Normal")})
        self.assertEqual(administration.result["definition_version"], "1.0.0")
        page = self.client.get(url)
        self.assertContains(page, "Extremely severe")  # the instrument speaks the page language
        self.assertContains(page, 'role="img"')  # the trend chart per subscale
        self.assertContains(page, "<table")  # its table fallback

    def test_my_questionnaires_page_has_its_headings_in_order(self):
        """A screen reader user jumping by heading went from the page's h1 straight to h3s (the
        portal overview's sections, which sit under an h2 there)."""
        import re

        self.send()
        completed = self.send(moment="end")
        actions.save_answers(actor=self.client_user, administration=completed, answers=EXAMPLE, submit=True,
                             now=self.now)
        self.login(self.client_user)
        for url in ("/questionnaires/mine/", "/portal/"):
            levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", self.client.get(url).content.decode())]
            self.assertTrue(levels and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)),
                            (url, levels))

    def test_a_duplicate_submission_is_refused_and_changes_nothing(self):
        administration = self.send()
        actions.save_answers(actor=self.client_user, administration=administration, answers=EXAMPLE, submit=True,
                             now=self.now)
        with self.assertRaises(ValidationError):
            actions.save_answers(actor=self.client_user, administration=administration,
                                 answers={i: 0 for i in EXAMPLE}, submit=True, now=self.now)
        self.login(self.client_user)
        response = self.client.post(reverse("questionnaires:fill", args=[administration.public_id]),
                                    {**{k: "0" for k in EXAMPLE}, "action": "submit"})
        self.assertEqual(response.status_code, 200)  # shows the result, not a form
        administration.refresh_from_db()
        self.assertEqual(administration.result["subscales"][0]["score"], 28)

    def test_gc_9_1_the_same_submission_sent_twice_records_one_result_without_an_error(self):
        """GC-9.1: the coach sees one result. A double click: both requests loaded the open
        questionnaire; the second, with the page's one-time key and the same answers, gets the
        recorded result, not 'already submitted'."""
        import re

        administration = self.send()
        self.login(self.client_user)
        url = reverse("questionnaires:fill", args=[administration.public_id])
        [key] = re.findall(r'name="idempotency_key" value="([^"]+)"', self.client.get(url).content.decode())
        for _click in range(2):  # the second request had read the questionnaire before the first finished
            actions.save_answers(actor=self.client_user, administration=administration, answers=EXAMPLE,
                                 submit=True, now=self.now, idempotency_key=key)
        administration.refresh_from_db()
        self.assertEqual(administration.result["subscales"][0]["score"], 28)
        with self.assertRaises(ValidationError):  # other answers under the same key change nothing
            actions.save_answers(actor=self.client_user, administration=administration,
                                 answers={i: 0 for i in EXAMPLE}, submit=True, now=self.now, idempotency_key=key)
        administration.refresh_from_db()
        self.assertEqual(administration.result["subscales"][0]["score"], 28)

    def test_the_coach_sees_trends_and_results_on_the_client_page(self):
        for n, level in enumerate([2, 1, 0]):
            a = self.send(moment=["intake", "during", "end"][n])
            actions.save_answers(actor=self.client_user, administration=a, answers={i: level for i in EXAMPLE},
                                 submit=True, now=self.now.replace(day=1 + n))
        self.login(self.coach)
        page = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"]))
        # One chart per subscale, drawn wide and for a phone (shown instead under 600 px).
        self.assertContains(page, 'role="img"', count=6)
        self.assertContains(page, "<polyline", count=6)
        self.assertContains(page, 'class="chart chart-narrow"', count=3)

    def test_the_summary_names_the_version_and_is_json_able(self):
        a = self.send()
        actions.save_answers(actor=self.client_user, administration=a, answers=EXAMPLE, submit=True, now=self.now)
        data = summary.for_client(self.own_client)
        json.dumps(data)
        entry = data["questionnaires"][0]
        self.assertEqual(entry["scored_with_version"], "1.0.0")
        self.assertEqual([s["score"] for s in entry["scores"]], [28, 14, 0])

    def test_another_client_cannot_open_the_questionnaire(self):
        administration = self.send()
        self.login(self.other_client_user)
        response = self.client.get(reverse("questionnaires:fill", args=[administration.public_id]))
        self.assertEqual(response.status_code, 404)

    def test_destroying_the_client_removes_the_administrations(self):
        self.send()
        from coachdossier.clients import actions as client_actions

        client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="Termijn")
        self.assertFalse(Administration.objects.exists())


class ApiTestCase(QuestionnaireTestCase):
    def test_the_coach_sends_and_the_client_answers_through_the_api(self):
        self.login(self.coach)
        response = self.client.post(f"/api/questionnaires/clients/{self.own_client.public_id}/administrations",
                                    {"definition": str(self.dass.public_id), "moment": "intake"},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        administration_id = response.json()["id"]
        self.login(self.client_user)
        url = f"/api/questionnaires/administrations/{administration_id}/answers"
        bad = self.client.post(url, {"answers": {**EXAMPLE, "q1": 9}, "submit": True},
                               content_type="application/json")
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(list(bad.json()["errors"]), ["q1"])
        ok = self.client.post(url, {"answers": EXAMPLE, "submit": True}, content_type="application/json")
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(ok.json()["result"]["subscales"][1]["score"], 14)
        again = self.client.post(url, {"answers": EXAMPLE, "submit": True}, content_type="application/json")
        self.assertEqual(again.status_code, 422)

    def test_gc_9_1_a_submission_retried_with_its_idempotency_key_gets_the_one_result(self):
        administration = self.send()
        self.login(self.client_user)
        url = f"/api/questionnaires/administrations/{administration.public_id}/answers"

        def submit(answers):
            return self.client.post(url, {"answers": answers, "submit": True}, content_type="application/json",
                                    headers={"Idempotency-Key": "retry-1"})

        first, again = submit(EXAMPLE), submit(EXAMPLE)
        self.assertEqual((first.status_code, again.status_code), (200, 200), again.content)
        self.assertEqual(again.json()["result"], first.json()["result"])
        self.assertEqual(submit({i: 0 for i in EXAMPLE}).status_code, 422)

    def test_a_stranger_gets_404(self):
        self.login(self.other_coach)
        response = self.client.get(f"/api/questionnaires/clients/{self.own_client.public_id}/administrations")
        self.assertEqual(response.status_code, 404)


@pytest.mark.parametrize("n", [50])
def test_the_bench_workload_scores_n_results(n):
    from coachdossier.questionnaires import bench

    assert bench.score_many(n) == n


class DashboardTestCase(QuestionnaireTestCase):
    def test_the_clients_dashboard_links_the_waiting_questionnaire(self):
        administration = self.send()
        self.login(self.client_user)
        response = self.client.get("/", follow=True)  # a client's overview is the portal's
        self.assertContains(response, reverse("questionnaires:fill", args=[administration.public_id]))

    def test_another_clients_dashboard_does_not(self):
        administration = self.send()
        self.login(self.other_client_user)
        response = self.client.get("/", follow=True)  # a client's overview is the portal's
        self.assertNotContains(response, str(administration.public_id))

    def test_the_therapists_dashboard_counts_referred_clients(self):
        from coachdossier.clients import actions as client_actions

        client_actions.refer_to_therapist(actor=self.coach, client=self.own_client, therapist=self.therapist,
                                          now=self.now)
        self.login(self.therapist)
        self.assertContains(self.client.get("/"), reverse("measurements:caseload"))


class DemoQuestionnaireTestCase(QuestionnaireTestCase):
    def test_a_questionnaire_with_a_text_option_and_a_total_is_filled_in_and_charted(self):
        work = QuestionnaireDefinition.objects.get(key="demo-werkvermogen")
        administration = actions.send_questionnaire(actor=self.coach, client=self.own_client, definition=work,
                                                    now=self.now)
        self.login(self.client_user)
        url = reverse("questionnaires:fill", args=[administration.public_id])
        answers = {"status": "partial", "e1": "4", "e2": "4", "e3": "2", "r1": "3", "r2": "3", "r3": "3", "r4": "3",
                   "action": "submit"}
        self.assertRedirects(self.client.post(url, answers), url)
        administration.refresh_from_db()
        self.assertEqual(administration.answers["status"], "partial")
        self.assertEqual(administration.answers["e1"], 4)  # stored as the scale's own value, not text
        page = self.client.get(url)
        self.assertContains(page, "fictional demo questionnaire")
        charts = len(administration.result["subscales"]) + 1  # and the total
        self.assertContains(page, 'role="img"', count=2 * charts)  # each drawn wide and for a phone


class QueryCountTestCase(QuestionnaireTestCase):
    def test_my_questionnaires_runs_the_same_number_of_queries_for_more_results(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def submit_one():
            a = self.send()
            actions.save_answers(actor=self.client_user, administration=a, answers=EXAMPLE, submit=True,
                                 now=self.now)

        submit_one()
        self.login(self.client_user)
        url = reverse("questionnaires:mine")
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        submit_one()
        submit_one()
        with CaptureQueriesContext(connection) as three:
            response = self.client.get(url)
        self.assertContains(response, "<circle", count=18)  # 3 points × 3 subscales, wide and for a phone
        self.assertEqual(len(three), len(one))

    def test_the_client_page_section_runs_the_same_number_of_queries_for_more_results(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        a = self.send()
        actions.save_answers(actor=self.client_user, administration=a, answers=EXAMPLE, submit=True, now=self.now)
        self.login(self.coach)
        url = reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"])
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        for _ in range(2):
            a = self.send()
            actions.save_answers(actor=self.client_user, administration=a, answers=EXAMPLE, submit=True,
                                 now=self.now)
        with CaptureQueriesContext(connection) as three:
            self.client.get(url)
        self.assertEqual(len(three), len(one))
