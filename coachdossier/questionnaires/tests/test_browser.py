"""In the browser: a client logs in, fills in a DASS-21 on a phone-sized screen, saves
halfway, continues, submits and sees the result with its trend chart."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian Chromium is not installed"),
    # serialized_rollback: the flush after the test also empties the access log's chain head
    # and prune gate, which the migrations created; they are restored for the next tests.
    pytest.mark.django_db(transaction=True, databases=["default", "keys"], serialized_rollback=True),
]


@pytest.fixture
def flushable_log(transactional_db):
    """The access log is append-only; the test database's flush is the one exception, through
    the prune gate (its teardown runs before the flush, as it depends on transactional_db)."""
    yield
    from django.db import connection

    from coachdossier.audit.models import PruneGate

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
    else:
        # Empty the log through the gate ourselves: the flush may empty the gate table first.
        from coachdossier.audit.models import AccessLogEntry

        PruneGate.objects.update(open=True)
        AccessLogEntry.objects.all().delete()


@pytest.fixture
def practice():
    from coachdossier.accounts.models import Role
    from coachdossier.clients import actions as client_actions
    from coachdossier.clients.models import PrincipalKind
    from coachdossier.questionnaires import actions
    from coachdossier.questionnaires.models import QuestionnaireDefinition
    from coachdossier.test import make_client, make_user

    now = timezone.now()
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    carla = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
    employer = client_actions.create_principal(actor=management, name="Bakkerij BV", kind=PrincipalKind.EMPLOYER)
    client = make_client(actor=management, coach=coach, principal=employer, user=carla, now=now)
    actions.ensure_shipped(now=now)
    dass = QuestionnaireDefinition.objects.get(key="dass-21")
    earlier = actions.send_questionnaire(actor=coach, client=client, definition=dass, moment="intake",
                                         now=now - timezone.timedelta(days=30))
    actions.save_answers(actor=carla, administration=earlier, answers={i.id: 2 for i in dass.definition.items},
                         submit=True, now=now - timezone.timedelta(days=29))
    administration = actions.send_questionnaire(actor=coach, client=client, definition=dass, moment="during",
                                                now=now)
    return administration


def test_a_client_fills_in_a_questionnaire_and_sees_the_chart(flushable_log, live_server, practice):
    from playwright.sync_api import sync_playwright

    from coachdossier.test import PASSWORD

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    Path("test-output").mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        csp_errors = []
        page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "carla@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state()

        page.goto(f"{live_server.url}/questionnaires/mine/")
        page.click("text=DASS-21")
        items = page.locator("fieldset.field")
        assert items.count() == 21
        for n in range(10):  # halfway, then save
            items.nth(n).locator("input[value='1']").check()
        page.click("button[value=save]")
        page.wait_for_load_state()
        assert page.locator("input[type=radio]:checked").count() == 10
        for n in range(10, 21):
            items.nth(n).locator("input[value='0']").check()
        page.click("button[value=submit]")
        page.wait_for_load_state()

        assert page.locator("#h-result").is_visible()
        # A chart per subscale, two points each; each drawn wide and for a phone, one shown.
        charts = page.locator("svg[role=img]:visible")
        assert charts.count() == 3
        assert page.locator("svg[role=img]:visible circle").count() == 6
        page.screenshot(path="test-output/questionnaire-result.png", full_page=True)
        assert csp_errors == []
        browser.close()

    practice.refresh_from_db()
    assert practice.status == "completed"


def test_on_a_phone_a_question_of_two_lines_stands_inside_its_box(flushable_log, live_server, practice):
    """GC-9.1 on a 390 px phone: a question's title sat on its card's border; one that wrapped
    had its first line cut by the border and its second touching the box. Each title now
    stands within the card, clear of its border and above its answers."""
    from playwright.sync_api import sync_playwright

    from coachdossier.test import PASSWORD

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{live_server.url}/accounts/login/?next=/questionnaires/fill/{practice.public_id}/")
        page.fill("input[name=login]", "carla@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"**/questionnaires/fill/{practice.public_id}/")
        questions = page.evaluate("""() => [...document.querySelectorAll('fieldset.card')].map(box => {
            const outer = box.getBoundingClientRect(), title = box.querySelector('legend').getBoundingClientRect();
            const first = box.querySelector('label').getBoundingClientRect();
            return {lines: Math.round(title.height / parseFloat(getComputedStyle(box.querySelector('legend')).lineHeight)),
                    above: title.top - outer.top, left: title.left - outer.left, below: first.top - title.bottom};
        })""")
        browser.close()
    assert any(question["lines"] >= 2 for question in questions)  # the case that touched the box
    cramped = [question for question in questions
               if question["above"] < 8 or question["left"] < 8 or question["below"] < 4]
    assert cramped == []
