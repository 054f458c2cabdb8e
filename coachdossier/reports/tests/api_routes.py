"""API access-matrix rows for the reports router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The target client is Carla (`w.own_client`)."""

from coachdossier.audit.models import Basis
from coachdossier.clients.access import Grant
from coachdossier.reports import actions

SECTIONS = [{"title": "Verloop", "text": "Cliënt werkt twee ochtenden per week."}]


def setup(w):
    def draft(**kwargs):
        report = actions.create_report(actor=w.coach, client=w.own_client, kind="progress", addressee="principal",
                                       now=w.now, **kwargs)
        return actions.edit_report(actor=w.coach, report=report, now=w.now, subject="Voortgang", sections=SECTIONS)

    def with_client(report):
        actions.mark_ready(actor=w.coach, report=report, now=w.now)
        actions.deliver_client_notice(report_id=report.pk, now=w.now)
        report.refresh_from_db()
        return report

    w.api_report_draft = draft()
    w.api_report_review = with_client(draft())
    w.api_report_approved = with_client(draft())
    actions.approve_report(actor=w.client_user, report=w.api_report_approved, now=w.now, grant=Grant(Basis.CLIENT))
    w.api_report_signable = with_client(draft(signature_required=True))
    w.api_report_ready = draft()  # ready, its notice to the client not delivered (yet)
    actions.mark_ready(actor=w.coach, report=w.api_report_ready, now=w.now)


def carla(w):
    return {"client_id": w.own_client.public_id}


def report(attr):
    return lambda w: {"client_id": w.own_client.public_id, "report_id": getattr(w, attr).public_id}


def review(attr):
    return lambda w: {"report_id": getattr(w, attr).public_id}


def signed(w):
    return {"document_sha256": w.api_report_signable.pdf_sha256}


# reports.write: the coach (and a substitute); Bob, the therapist and the complaints officer have
# no relationship with Carla, nor have Daan and the auditor (404); her own account and management
# see her but may not write (403).
COACH_ONLY = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 404, "management": 403,
              "therapist": 404, "outsider": 404, "auditor": 404}
# reports.review: Carla herself; her coach sees the report but may not review it (403).
CLIENT_ONLY = {"coach": 403, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404,
               "management": 403, "therapist": 404, "outsider": 404, "auditor": 404}


def created(table):
    return {p: (201 if s == 200 else s) for p, s in table.items()}


API_ROUTES = [
    ("get", "/api/reports/clients/{client_id}/reports", carla, None, None, {**COACH_ONLY, "management": 200}),
    ("post", "/api/reports/clients/{client_id}/reports", carla,
     lambda w: {"kind": "progress", "addressee": "principal"}, "json", created(COACH_ONLY)),
    ("get", "/api/reports/clients/{client_id}/reports/{report_id}", report("api_report_draft"), None, None,
     COACH_ONLY),
    ("put", "/api/reports/clients/{client_id}/reports/{report_id}", report("api_report_draft"),
     lambda w: {"subject": "Voortgang", "sections": SECTIONS}, "json", COACH_ONLY),
    ("post", "/api/reports/clients/{client_id}/reports/{report_id}/ready", report("api_report_draft"), None, None,
     COACH_ONLY),
    ("post", "/api/reports/clients/{client_id}/reports/{report_id}/send", report("api_report_approved"),
     lambda w: {"code_channel": "email"}, "json", COACH_ONLY),
    ("post", "/api/reports/review/{report_id}/approve", review("api_report_review"), None, None, CLIENT_ONLY),
    ("post", "/api/reports/review/{report_id}/sign", review("api_report_signable"), signed, "json", CLIENT_ONLY),
    ("post", "/api/reports/review/{report_id}/block", review("api_report_review"), None, None, CLIENT_ONLY),
    ("post", "/api/reports/review/{report_id}/object", review("api_report_review"),
     lambda w: {"text": "De uren kloppen niet."}, "json", CLIENT_ONLY),
    ("get", "/api/reports/clients/{client_id}/reports/{report_id}/pdf", report("api_report_draft"), None, None,
     COACH_ONLY),
    ("post", "/api/reports/clients/{client_id}/reports/{report_id}/notify", report("api_report_ready"), None, None,
     COACH_ONLY),
    ("post", "/api/reports/clients/{client_id}/reports/{report_id}/revise", report("api_report_review"), None, None,
     created(COACH_ONLY)),
    ("get", "/api/reports/review/{report_id}", review("api_report_review"), None, None, CLIENT_ONLY),
    ("get", "/api/reports/review/{report_id}/pdf", review("api_report_signable"), None, None, CLIENT_ONLY),
]
