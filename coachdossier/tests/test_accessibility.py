"""Accessibility in a real browser: axe-core (vendored in tests/assets, see its README) injected
through Playwright into every main page, in Dutch and in English, as each role sees it: no
serious or critical violation. The portal pages are also shot at a phone's width (390 px) into
test-output/phone/."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from coachdossier.test import browser_log_in

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
LANGUAGES = ("nl", "en")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def flushable_log(transactional_db):
    """The access log is append-only; the test database's flush is the one exception, through
    the prune gate (its teardown runs before the flush, as it depends on transactional_db).
    Same approach as the records branch's coachdossier/conftest.py."""
    yield
    from django.db import connection

    from coachdossier.audit.models import AccessLogEntry, PruneGate

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
    else:
        PruneGate.objects.update_or_create(pk=1, defaults={"open": True})
        AccessLogEntry.objects.all().delete()


@pytest.fixture
def practice():
    """Alice coaches Carla; Mia manages; Theo measures Carla on referral; Carla has a
    questionnaire to fill in, a consent, a complaint and an entry in her dossier."""
    from coachdossier.accounts.models import Role
    from coachdossier.audit.models import ChainHead, PruneGate
    from coachdossier.clients import actions as client_actions
    from coachdossier.clients.crypto import KeyRing
    from coachdossier.clients.models import EntryKind, PrincipalKind
    from coachdossier.complaints import actions as complaint_actions
    from coachdossier.questionnaires import actions as questionnaire_actions
    from coachdossier.questionnaires.models import QuestionnaireDefinition
    from coachdossier.test import make_client, make_user

    ChainHead.objects.get_or_create(pk=1)
    PruneGate.objects.get_or_create(pk=1)
    KeyRing.clear()
    now = timezone.now()
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    therapist = make_user("theo@example.com", "Theo Therapeut", Role.THERAPIST)
    carla = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
    employer = client_actions.create_principal(actor=management, name="Bakkerij BV", kind=PrincipalKind.EMPLOYER)
    client = make_client(actor=management, coach=coach, principal=employer, user=carla, now=now)
    client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT, occurred_on=now.date(),
                             title="Werkuren", text="Werkt 32 uur per week.", now=now)
    client_actions.refer_to_therapist(actor=coach, client=client, therapist=therapist, now=now)
    complaint_actions.lodge_complaint(actor=carla, now=now, channel="portal", subject="service",
                                      category="planning", description="Afspraken werden vaak verzet.",
                                      client=client)
    questionnaire_actions.ensure_shipped(now=now)
    dass = QuestionnaireDefinition.objects.get(key="dass-21")
    administration = questionnaire_actions.send_questionnaire(actor=coach, client=client, definition=dass,
                                                              moment="intake", now=now)
    KeyRing.clear()
    return {"client": client, "administration": administration}






def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe-core did not run"
    found = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_every_main_page_has_no_serious_accessibility_violation_in_dutch_and_english(flushable_log, live_server,
                                                                                     practice):
    """GC-2.3 usable by everyone: axe-core finds no serious or critical violation."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    client_id = practice["client"].public_id
    administration_id = practice["administration"].public_id
    staff_pages = {
        "alice@example.com": ["/", "/clients/", f"/clients/{client_id}/", f"/clients/{client_id}/entries/new/",
                              f"/clients/{client_id}/tab/questionnaires/", f"/clients/{client_id}/tab/portal/",
                              "/complaints/"],
        "mia@example.com": ["/", "/complaints/", "/privacy/", "/clients/manage/"],
        "theo@example.com": ["/", "/measurements/"],
    }
    portal_pages = ["/portal/", "/portal/dossier/", "/portal/copy/", "/portal/requests/",
                    "/portal/requests/correction/", "/portal/requests/destruction/", "/portal/statements/new/",
                    "/portal/consents/", "/portal/messages/", "/portal/communication/", "/portal/access-log/",
                    "/questionnaires/mine/", f"/questionnaires/fill/{administration_id}/"]
    phone = OUTPUT / "phone"
    phone.mkdir(parents=True, exist_ok=True)
    problems, checked = {}, 0
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in LANGUAGES:
            cookie = {"name": "django_language", "value": language, "url": base}
            sessions = [(None, ["/accounts/login/"], False)]
            sessions += [(email, urls, False) for email, urls in staff_pages.items()]
            sessions += [("carla@example.com", portal_pages, True)]
            for email, urls, is_phone in sessions:
                viewport = {"width": 390, "height": 844} if is_phone else {"width": 1280, "height": 900}
                context = browser.new_context(viewport=viewport, bypass_csp=True)  # to inject axe
                context.add_cookies([cookie])
                page = context.new_page()
                if email:
                    browser_log_in(page, base, email, staff=email != "carla@example.com")
                for url in urls:
                    response = page.goto(base + url)
                    assert response.status == 200, f"{email} {url}: {response.status}"
                    assert page.locator("html").get_attribute("lang") == language, url
                    checked += 1
                    found = serious_violations(page)
                    if found:
                        problems[f"{language} {email or 'anonymous'} {url}"] = found
                    if is_phone:
                        name = url.strip("/").replace("/", "-") or "home"
                        if "fill-" in name:
                            name = "questionnaires-fill"
                        page.screenshot(path=str(phone / f"{name}-{language}.png"), full_page=True)
                        width = page.evaluate("document.documentElement.scrollWidth")
                        if width > 390:
                            problems.setdefault(f"{language} {url}", []).append(
                                f"wider than the phone: {width}px (horizontal scrolling)")
                context.close()
        browser.close()
    assert checked >= 2 * 25
    assert problems == {}, "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())


def test_axe_reports_a_serious_violation_when_there_is_one():
    """The check above can fail: an image without alternative text and an unlabelled input."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
        found = serious_violations(page)
        browser.close()
    assert any(v.startswith("image-alt") for v in found), found
    assert any(v.startswith("label") for v in found), found
