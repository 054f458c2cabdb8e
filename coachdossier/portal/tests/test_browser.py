"""One real browser (Debian's Chromium through Playwright) on a phone-sized screen: a
client logs in, downloads the PDF copy, files a correction request and withdraws a
consent. A screenshot goes to test-output/portal-client.png."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import AccessLogEntry, PruneGate
from coachdossier.clients import actions as client_actions
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import Consent, EntryKind
from coachdossier.portal.models import ClientRequest, RequestKind
from coachdossier.test import NOW, PASSWORD, make_client, make_user

from .base import CLIENT_GRANT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def append_only_log_flushable():
    """The access log refuses DELETE (LAW-NEN7513); a transactional test's flush must be let
    through the prune gate, as `prune_access_log` would be."""
    yield
    PruneGate.objects.filter(pk=1).update(open=True)
    AccessLogEntry.objects.all().delete()


def log_in_as_carla(page, base: str, next_url: str) -> None:
    # Signing in brings her account's language (User.language): the one this browser shows.
    chosen = {c["name"]: c["value"] for c in page.context.cookies()}.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        User.objects.filter(email="carla@example.com").update(language=chosen)
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=login]", "carla@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"**{next_url}")


def carla_signed_in(browser, base: str, next_url: str, *, language: str, width: int, height: int = 844):
    """A new browser context of the given size and language, Carla signed in on `next_url`."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    log_in_as_carla(page, base, next_url)
    return context, page


def carla_with_her_coach(**personal):
    """Carla's portal account and record, with her coach, at an employer; `personal` as make_client takes it."""
    from coachdossier.clients.models import PrincipalKind

    KeyRing.clear()
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    user = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
    employer = client_actions.create_principal(actor=management, name="Bakkerij", kind=PrincipalKind.EMPLOYER)
    return coach, user, make_client(actor=management, coach=coach, principal=employer, user=user, **personal)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_pr_3_a_client_downloads_a_copy_files_a_correction_and_withdraws_a_consent(live_server,
                                                                                   append_only_log_flushable):
    """PR-3, GC-5.1, GC-5.3, GC-1.3 in a browser on a 390 px wide screen."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    coach, user, client = carla_with_her_coach()
    client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT, occurred_on=NOW.date(),
                             title="Werkuren", text="Werkt 32 uur per week.", now=NOW)
    consent = client_actions.record_consent(actor=user, client=client, kind="disclosure", recipient="Bedrijfsarts",
                                            purpose="Afstemming", data_scope="Uren", given_via="portal",
                                            valid_from=NOW.date(), now=NOW, grant=CLIENT_GRANT)
    OUTPUT.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = context.new_page()
        log_in_as_carla(page, live_server.url, "/portal/")

        # The copy: one click, then the PDF.
        page.goto(f"{live_server.url}/portal/copy/")
        page.click("form[action$='/portal/copy/request/'] button")
        page.wait_for_selector("a[href$='/pdf/']")
        with page.expect_download() as download_info:
            page.click("a[href$='/pdf/']")
        pdf_path = download_info.value.path()
        assert Path(pdf_path).read_bytes().startswith(b"%PDF")

        # A correction of a fact.
        page.goto(f"{live_server.url}/portal/dossier/")
        page.click("a[href*='/portal/requests/correction/?entry=']")
        page.fill("textarea[name=proposed]", "Werkt 24 uur per week.")
        page.fill("textarea[name=reason]", "Sinds oktober werk ik minder uren.")
        page.click("main form.form button[type=submit]")
        page.wait_for_url("**/portal/requests/")

        # Withdraw the consent.
        page.goto(f"{live_server.url}/portal/consents/")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        with page.expect_navigation():
            page.click("form[action*='/withdraw/'] button")
        assert asked == ["Withdraw this consent? It ends access at once."]
        page.screenshot(path=str(OUTPUT / "portal-client.png"), full_page=True)
        browser.close()

    assert ClientRequest.objects.filter(client=client, kind=RequestKind.COPY, status="done").exists()
    correction = ClientRequest.objects.get(client=client, kind=RequestKind.CORRECTION)
    assert correction.details["proposed"] == "Werkt 24 uur per week."
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_gc_5_1_the_dossier_fits_a_320_px_screen_with_a_long_email_address(live_server, append_only_log_flushable):
    """GC-5.1 on the narrowest phone (WCAG 1.4.10 reflow at 320 CSS px): a long email address
    wraps instead of making the whole page scroll sideways."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    carla_with_her_coach(first="Maximiliaan-Alexandra", street="Burgemeester van Haarenlaan", house_number="1234",
                         postcode="8168 ZH", city="Kolhorn")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
        log_in_as_carla(page, live_server.url, "/portal/dossier/")
        assert page.get_by_text("maximiliaan-alexandra@example.com").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert width <= 320


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_gc_9_1_measurements_on_the_portal_home_fit_a_320_px_screen_with_readable_chart_labels(
        live_server, append_only_log_flushable):
    """GC-9.1 on the narrowest phone (WCAG 1.4.10 reflow, 1.4.4 text size): the measurements table
    stacks its rows instead of scrolling sideways, and the charts' labels stay at least 11 px,
    in Dutch and in English."""
    import datetime

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import sync_playwright

    from coachdossier.measurements import actions as measurement_actions
    from coachdossier.measurements.tests.test_views import long_rr

    _coach, _user, client = carla_with_her_coach()
    therapist = make_user("theo@example.com", "Theo Therapeut", Role.THERAPIST)
    for weeks, (hr, rmssd, sdnn) in enumerate([(78, 24, 38), (74, 29, 44), (71, 33, 49), (69, 36, 52)]):
        measurement_actions.record_session(
            actor=therapist, client=client, measured_on=NOW.date() - datetime.timedelta(weeks=6 - 2 * weeks),
            protocol="rest", values={"heart_rate_bpm": hr, "rmssd_ms": rmssd, "sdnn_ms": sdnn,
                                     "breathing_rate_per_min": 6.5, "skin_conductance_us": 4.2},
            rr_file=SimpleUploadedFile("rr.txt", long_rr()) if weeks == 3 else None, now=NOW)
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ("nl", "en"):
            context = browser.new_context(viewport={"width": 320, "height": 640})
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page = context.new_page()
            log_in_as_carla(page, live_server.url, "/portal/")
            page.click("main details summary")  # the figures in tables, too
            found[language] = page.evaluate("""() => {
                const sideways = [...document.querySelectorAll('main *')]
                    .filter(e => e.scrollWidth > e.clientWidth + 1
                                 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                    .map(e => e.tagName + '.' + e.className);
                const labels = [...document.querySelectorAll('main svg.chart text')]
                    .filter(t => t.getBoundingClientRect().width > 0)
                    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
                return {page: document.documentElement.scrollWidth, sideways, labels,
                        values: document.querySelector('main td[data-label]') !== null};
            }""")
            page.screenshot(path=str(OUTPUT / f"portal-measurements-320-{language}.png"), full_page=True)
            context.close()
        browser.close()
    for language, measured in found.items():
        assert measured["page"] <= 320, language
        assert measured["sideways"] == [], language
        assert measured["values"], language
        assert measured["labels"] and min(measured["labels"]) >= 11, (language, sorted(measured["labels"])[:3])


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_gc_9_1_questionnaire_trends_have_readable_labels_on_a_phone_and_side_by_side_on_a_desktop(
        live_server, append_only_log_flushable):
    """GC-9.1 (WCAG 1.4.10 reflow, 1.4.4 text size): the client's questionnaire trends have
    labels of at least 11 px on the narrowest phone and on a desktop, where three charts stand
    side by side, in Dutch and in English. The wide drawing scaled down to either width had
    5-6 px labels; a figure that narrow shows the chart drawn for a phone."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import datetime

    from playwright.sync_api import sync_playwright

    from coachdossier.questionnaires import actions as q_actions
    from coachdossier.questionnaires.models import QuestionnaireDefinition
    from coachdossier.questionnaires.tests.test_workflow import EXAMPLE

    coach, user, client = carla_with_her_coach()
    q_actions.ensure_shipped(now=NOW)
    dass = QuestionnaireDefinition.objects.get(key="dass-21")
    for weeks, moment in enumerate(["intake", "during", "end"]):
        when = NOW - datetime.timedelta(weeks=6 - 2 * weeks)
        administration = q_actions.send_questionnaire(actor=coach, client=client, definition=dass, moment=moment,
                                                      now=when)
        q_actions.save_answers(actor=user, administration=administration, answers=EXAMPLE, submit=True, now=when)
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language, width in (("nl", 320), ("en", 320), ("nl", 1280)):
            context, page = carla_signed_in(browser, live_server.url, "/questionnaires/mine/", language=language,
                                            width=width, height=800)
            found[language, width] = page.evaluate("""() => {
                const labels = [...document.querySelectorAll('main svg.chart text')]
                    .filter(t => t.getBoundingClientRect().width > 0)
                    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
                const charts = [...document.querySelectorAll('main svg.chart')]
                    .filter(s => s.getBoundingClientRect().width > 0).length;
                return {page: document.documentElement.scrollWidth, labels, charts};
            }""")
            page.screenshot(path=str(OUTPUT / f"portal-questionnaires-{width}-{language}.png"), full_page=True)
            context.close()
        browser.close()
    for (language, width), measured in found.items():
        assert measured["page"] <= width, language
        assert measured["charts"] == 3, (language, width)  # one per subscale, never both drawings
        assert measured["labels"] and min(measured["labels"]) >= 11, (language, width, sorted(measured["labels"])[:3])


TARGETS_JS = """() => {
    // Controls, menu links and links that stand on their own (not a link inside a sentence);
    // a checkbox or radio is hit through its label.
    const selector = ['header a', 'header button', 'header select', '.portal-nav a', 'main button',
        'main select', 'main textarea', 'main summary', 'main input:not([type=hidden])',
        'main li > a:first-child', 'main .actions > a', 'main .pager a'].join(', ');
    // A link that is a paragraph of its own ("← My questionnaires") stands on its own too.
    const alone = [...document.querySelectorAll('main p > a')]
        .filter(a => a.parentElement.textContent.trim() === a.textContent.trim());
    const small = [];
    for (let e of [...document.querySelectorAll(selector), ...alone]) {
        if (e.matches('input[type=checkbox], input[type=radio]')) e = e.closest('label') || e.labels[0];
        const box = e.getBoundingClientRect();
        if (box.width && (box.height < 43.5 || box.width < 43.5))
            small.push(`${e.tagName} "${(e.innerText || e.name || '').trim().slice(0, 30)}" `
                       + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
    return small;
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_wcag_a_phone_user_can_hit_every_control_and_read_every_page_at_twice_the_text_size(
        live_server, append_only_log_flushable):
    """WCAG 2.5.5 and 1.4.4 on a 390 px phone, for a client of 52 with large text: menu links were
    19 px high, buttons 37 px, checkboxes 13 px; at 200% text the language switch, long Dutch
    words ("Voortgangsrapportage", "correctieverzoek") and the coach's name beside its label ran
    off the screen or shrank to one letter a line."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    coach, user, client = carla_with_her_coach()
    client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT, occurred_on=NOW.date(),
                             title="Werkuren", text="Werkt 32 uur per week.", now=NOW)
    client_actions.record_consent(actor=user, client=client, kind="disclosure", recipient="Bedrijfsarts",
                                  purpose="Afstemming", data_scope="Uren", given_via="portal",
                                  valid_from=NOW.date(), now=NOW, grant=CLIENT_GRANT)
    pages = ["/portal/", "/portal/dossier/", "/portal/consents/", "/portal/communication/",
             "/portal/requests/correction/", "/portal/requests/destruction/", "/complaints/lodge/"]
    small, wide = {}, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        dutch = [{"name": "django_language", "value": "nl", "url": live_server.url}]  # the longer words
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies(dutch)
        page = context.new_page()
        log_in_as_carla(page, live_server.url, "/portal/")
        for url in pages:
            page.goto(live_server.url + url)
            small[url] = page.evaluate(TARGETS_JS)
        # Twice the text size, as a phone's accessibility setting gives it (the page's CSP
        # would refuse the test's style sheet, hence bypass_csp).
        context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        context.add_cookies(dutch)
        context.add_init_script("document.addEventListener('DOMContentLoaded', () => document.head.insertAdjacentHTML("
                                "'beforeend', '<style>html { font-size: 200% !important; }</style>'))")
        page = context.new_page()
        log_in_as_carla(page, live_server.url, "/portal/")
        for url in pages:
            page.goto(live_server.url + url)
            wide[url] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(OUTPUT / "portal-200-percent-text.png"), full_page=True)
        browser.close()
    assert {url: found for url, found in small.items() if found} == {}
    assert {url: width for url, width in wide.items() if width > 390} == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_pr_6_on_a_phone_the_client_gets_from_the_report_she_reviews_back_to_her_portal(
        live_server, append_only_log_flushable):
    """PR-6: the review page of a report had no portal menu; on a 390 px phone the only way on
    was the browser's back button. The menu is there, fits the screen, can be hit with a finger
    and leads to her portal."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from coachdossier.reports import actions as report_actions
    from coachdossier.reports.tests.helpers import SECTIONS

    coach, user, client = carla_with_her_coach()
    report = report_actions.create_report(actor=coach, client=client, kind="progress", addressee="principal",
                                          now=NOW)
    report_actions.edit_report(actor=coach, report=report, now=NOW, subject="Voortgangsrapportage",
                               sections=SECTIONS)
    report_actions.mark_ready(actor=coach, report=report, now=NOW)
    review = f"/reports/review/{report.public_id}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": "nl", "url": live_server.url}])
        page = context.new_page()
        log_in_as_carla(page, live_server.url, review)
        menu = page.locator(".portal-nav")
        assert menu.is_visible()
        assert page.evaluate(TARGETS_JS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = menu.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(OUTPUT / "portal-report-review.png"), full_page=True)
        menu.locator("summary").click()  # on a phone the menu is one line that opens
        menu.get_by_role("link", name="Overzicht").click()
        page.wait_for_url(f"{live_server.url}/portal/")
        browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_pr_6_on_a_phone_the_box_she_ticks_to_sign_stands_beside_what_she_confirms(
        live_server, append_only_log_flushable):
    """PR-6: on a 390 px phone a checkbox with a sentence for its label wrapped onto a line of its
    own, an empty box above "I have read this report and sign it", so it was unclear what the
    box confirms. The box and the first line of its label share a line."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from coachdossier.reports import actions as report_actions
    from coachdossier.reports.tests.helpers import SECTIONS

    coach, user, client = carla_with_her_coach()
    report = report_actions.create_report(actor=coach, client=client, kind="progress", addressee="principal",
                                          now=NOW)
    report_actions.edit_report(actor=coach, report=report, now=NOW, subject="Voortgangsrapportage",
                               sections=SECTIONS, signature_required=True)
    report_actions.mark_ready(actor=coach, report=report, now=NOW)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": "nl", "url": live_server.url}])
        page = context.new_page()
        log_in_as_carla(page, live_server.url, f"/reports/review/{report.public_id}/")
        box = page.locator("form .field-checkbox input[type=checkbox]").bounding_box()
        label = page.locator("form .field-checkbox label").bounding_box()
        small = page.evaluate(TARGETS_JS)
        browser.close()
    assert box is not None and label is not None
    assert label["x"] > box["x"] + box["width"], (box, label)  # beside the box, not under it
    assert label["y"] < box["y"] + box["height"], (box, label)
    assert small == []


MENU_ROWS_JS = """() => {
    // The rows the menu takes: the distinct tops of what of it is shown (its line, its links).
    const shown = [...document.querySelectorAll('.portal-nav summary, .portal-nav a')]
        .filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect());
    return new Set(shown.map(box => Math.round(box.top))).size;
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_pr_6_on_a_phone_the_portal_menu_takes_at_most_two_rows_and_an_open_request_leads_to_its_card(
        live_server, append_only_log_flushable):
    """PR-6, GC-1.3 on a 390 px phone: the portal's eight menu links wrapped into five rows,
    230 px before every page's heading, and an open request on the overview was plain text,
    so she could not get from it to the request she might follow or withdraw. The menu is one
    line that opens to its links, in Dutch and in English; each open request leads to its card
    under My requests; on a desktop the links stand in view without opening anything."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from coachdossier.portal import actions as portal_actions

    coach, user, client = carla_with_her_coach()
    client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT, occurred_on=NOW.date(),
                             title="Werkuren", text="Werkt 32 uur per week.", now=NOW)
    request = portal_actions.file_request(actor=user, client=client, kind=RequestKind.DESTRUCTION, now=NOW,
                                          grant=CLIENT_GRANT)
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language, width in (("nl", 390), ("en", 390), ("nl", 1280)):
            context, page = carla_signed_in(browser, live_server.url, "/portal/", language=language, width=width)
            rows = {"closed": page.evaluate(MENU_ROWS_JS)}
            assert rows["closed"] <= (2 if width == 390 else 3), (language, width, rows)
            links = page.locator(".portal-nav a")
            rows["links shown"] = sum(links.nth(n).is_visible() for n in range(links.count()))
            if width == 390:
                heading = page.locator("main h1").bounding_box()
                rows["heading at"] = heading["y"] if heading else None
                page.click(".portal-nav summary")
                rows["links shown once opened"] = sum(links.nth(n).is_visible() for n in range(links.count()))
                page.screenshot(path=str(OUTPUT / f"portal-menu-open-{language}.png"))
                page.click(".portal-nav summary")
                page.locator("main a[href*='/portal/requests/#request-']").click()
                page.wait_for_url(f"**/portal/requests/#request-{request.public_id}")
                card = page.locator(f"#request-{request.public_id}")
                rows["card shown"] = card.is_visible() and card.evaluate("e => e.matches(':target')")
                rows["small targets"] = page.evaluate(TARGETS_JS)
            found[language, width] = rows
            context.close()
        browser.close()
    for language in ("nl", "en"):
        phone = found[language, 390]
        assert phone["links shown"] == 0 and phone["links shown once opened"] == 8, (language, phone)
        assert phone["heading at"] is not None and phone["heading at"] < 844 / 2, (language, phone)
        assert phone["card shown"], (language, phone)
        assert phone["small targets"] == [], (language, phone)
    assert found["nl", 1280]["links shown"] == 8, found["nl", 1280]


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_gc_9_1_on_a_phone_her_questionnaire_measurement_and_complaint_pages_fit_and_lead_back(
        live_server, append_only_log_flushable):
    """GC-9.1, WCAG 2.5.5 and 1.4.10 on a 390 px phone, in Dutch and in English: the
    questionnaire result and its figures table scrolled sideways (four and five columns, the band
    out of view), so did the measurement's heart rate variability tables, whose tachogram and
    power spectrum had 5 px labels; the back links
    ("← My questionnaires") were 19 px high; and her measurement pages had no portal menu and
    no way back. Each of these pages now has the menu, fits the screen with its tables opened,
    and every link that stands on its own can be hit with a finger."""
    import datetime

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import sync_playwright

    from coachdossier.complaints import actions as complaint_actions
    from coachdossier.measurements import actions as measurement_actions
    from coachdossier.measurements.tests.test_views import long_rr
    from coachdossier.questionnaires import actions as q_actions
    from coachdossier.questionnaires.models import QuestionnaireDefinition
    from coachdossier.questionnaires.tests.test_workflow import EXAMPLE

    coach, user, client = carla_with_her_coach()
    q_actions.ensure_shipped(now=NOW)
    dass = QuestionnaireDefinition.objects.get(key="dass-21")
    for weeks, moment in enumerate(["intake", "end"]):
        when = NOW - datetime.timedelta(weeks=4 - 2 * weeks)
        done = q_actions.send_questionnaire(actor=coach, client=client, definition=dass, moment=moment, now=when)
        q_actions.save_answers(actor=user, administration=done, answers=EXAMPLE, submit=True, now=when)
    therapist = make_user("theo@example.com", "Theo Therapeut", Role.THERAPIST)
    session = measurement_actions.record_session(
        actor=therapist, client=client, measured_on=NOW.date(), protocol="rest",
        values={"heart_rate_bpm": 71, "rmssd_ms": 33, "sdnn_ms": 49, "breathing_rate_per_min": 6.5,
                "skin_conductance_us": 4.2},
        rr_file=SimpleUploadedFile("rr.txt", long_rr()), now=NOW)
    complaint = complaint_actions.lodge_complaint(actor=user, now=NOW, channel="portal", subject="service",
                                                  category="reporting", description="Het verslag ging te vroeg.",
                                                  client=client)
    pages = ["/questionnaires/mine/", f"/questionnaires/fill/{done.public_id}/",
             f"/measurements/client/{client.public_id}/",
             f"/measurements/client/{client.public_id}/{session.public_id}/",
             f"/complaints/{complaint.public_id}/mine/"]
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ("nl", "en"):
            context, page = carla_signed_in(browser, live_server.url, "/portal/", language=language, width=390)
            for url in pages:
                page.goto(live_server.url + url)
                found[language, url] = page.evaluate("""(targets) => {
                    for (const d of document.querySelectorAll('main details:not(.portal-menu)')) d.open = true;
                    const sideways = [...document.querySelectorAll('main *')]
                        .filter(e => e.checkVisibility() && e.scrollWidth > e.clientWidth + 1
                                     && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                        .map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth);
                    const labels = [...document.querySelectorAll('main svg.chart text')]
                        .filter(t => t.getBoundingClientRect().width > 0)
                        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
                    return {page: document.documentElement.scrollWidth, sideways, small: eval(targets)(),
                            smallest_label: Math.min(100, ...labels),
                            menu: document.querySelector('main .portal-nav a[href="/portal/"]') !== null};
                }""", TARGETS_JS)
            page.screenshot(path=str(OUTPUT / f"portal-measurement-{language}.png"), full_page=True)
            context.close()
        browser.close()
    wrong = {key: measured for key, measured in found.items()
             if measured["page"] > 390 or measured["sideways"] or measured["small"] or not measured["menu"]
             or measured["smallest_label"] < 11}
    assert wrong == {}
