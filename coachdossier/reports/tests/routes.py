"""Access matrix rows for the report pages (see coachdossier/tests/matrix.py)."""

from coachdossier.audit.models import Basis
from coachdossier.clients.access import Grant
from coachdossier.reports import actions
from coachdossier.tests.matrix import Route

SECTIONS = [{"title": "Verloop", "text": "Cliënt werkt twee ochtenden per week."}]


def setup(w):
    def draft():
        report = actions.create_report(actor=w.coach, client=w.own_client, kind="progress", addressee="principal",
                                       now=w.now)
        return actions.edit_report(actor=w.coach, report=report, now=w.now, subject="Voortgang", sections=SECTIONS)

    def with_client(report):
        actions.mark_ready(actor=w.coach, report=report, now=w.now)
        actions.deliver_client_notice(report_id=report.pk, now=w.now)
        report.refresh_from_db()
        return report

    w.report_draft = draft()
    w.report_review = with_client(draft())
    w.report_sent = with_client(draft())
    actions.approve_report(actor=w.client_user, report=w.report_sent, now=w.now, grant=Grant(Basis.CLIENT))
    w.report_sent_delivery = actions.send_report(actor=w.coach, report=w.report_sent, code_channel="email", now=w.now)


def report(attr):
    return lambda w: {"client_id": w.own_client.public_id, "report_id": getattr(w, attr).public_id}


def review(w):
    return {"report_id": w.report_review.public_id}


COACH_ONLY = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 403,
              "therapist": 403, "outsider": 403, "auditor": 403}
CLIENT_ONLY = {"coach": 403, "other_coach": 403, "committee": 403, "client": 200, "other_client": 404,
               "management": 403, "therapist": 403, "outsider": 403, "auditor": 403}
EVERYONE = {p: 200 for p in ("anonymous", "coach", "other_coach", "committee", "client", "other_client", "management",
                             "therapist", "outsider", "auditor")}

ROUTES = [
    Route("reports:overview", expect={**{k: 403 for k in COACH_ONLY}, "management": 200}),
    Route("reports:new", lambda w: {"client_id": w.own_client.public_id}, expect=COACH_ONLY),
    Route("reports:detail", report("report_draft"), expect=COACH_ONLY),
    Route("reports:edit", report("report_draft"), expect=COACH_ONLY),
    Route("reports:pdf", report("report_review"), expect=COACH_ONLY),
    Route("reports:send", report("report_sent"), expect=COACH_ONLY),
    Route("reports:medical", report("report_draft"), method="POST", expect={**COACH_ONLY, "coach": 302}),
    Route("reports:ready", report("report_draft"), method="POST", expect={**COACH_ONLY, "coach": 302}),
    Route("reports:notify", report("report_review"), method="POST", expect={**COACH_ONLY, "coach": 302}),
    Route("reports:revise", report("report_review"), method="POST", expect={**COACH_ONLY, "coach": 302}),
    Route("reports:review", review, expect=CLIENT_ONLY),
    Route("reports:review_pdf", review, expect=CLIENT_ONLY),
    Route("reports:review_object", review, expect=CLIENT_ONLY),
    Route("reports:review_approve", review, method="POST", expect={**CLIENT_ONLY, "client": 302}),
    Route("reports:review_sign", review, method="POST", expect={**CLIENT_ONLY, "client": 302}),
    Route("reports:review_block", review, method="POST", expect={**CLIENT_ONLY, "client": 302}),
    Route("reports:download", lambda w: {"token": w.report_sent_delivery.token}, public=True, expect=EVERYONE),
]
