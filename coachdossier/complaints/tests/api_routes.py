"""API access-matrix rows for the complaints router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The case is Carla's complaint (GC-9.4: a case is
opened by the complaints officer and management, its committee members and the complainant;
404 for everyone else). Cor (committee) sits on the committee of the admitted and settled cases:
she reads them and adds notes, and gets 403 for the handlers' steps and the letters."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.complaints import actions
from coachdossier.complaints.models import ClosureDay


def pdf():
    return SimpleUploadedFile("brief.pdf", DEMO_PDF, content_type="application/pdf")

EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider",
            "auditor")
HANDLERS_ONLY = {p: 403 for p in EVERYONE} | {"management": 200, "outsider": 200}
# The case: the complainant reads it; stepping it is for the handlers (403 for her).
CASE_READ = {p: 404 for p in EVERYONE} | {"client": 200, "management": 200, "outsider": 200}
CASE_STEP = CASE_READ | {"client": 403}
# The cases the committee persona sits on.
COMMITTEE_CASE_READ = CASE_READ | {"committee": 200}
COMMITTEE_CASE_STEP = CASE_STEP | {"committee": 403}


def setup(w):
    from coachdossier.accounts.models import Role
    from coachdossier.test import make_user

    def lodged(**kwargs):
        return actions.lodge_complaint(actor=w.client_user, now=w.now, channel="portal", subject="service",
                                       category="planning", description="Afspraken werden vaak verzet.",
                                       client=w.own_client, **kwargs)

    def registered(**kwargs):
        complaint = lodged(**kwargs)
        actions.register_complaint(actor=w.outsider, complaint=complaint, now=w.now)
        return complaint

    def settled():
        complaint = registered()
        actions.decide_admission(actor=w.outsider, complaint=complaint, now=w.now, admitted=True)
        actions.appoint_committee(actor=w.outsider, complaint=complaint, coaches=committee, now=w.now)
        actions.settle(actor=w.outsider, complaint=complaint, now=w.now, text="Antwoord.")
        return complaint

    # Two coaches with no part in Carla's case (the committee must not involve her coach): the
    # committee persona and one more.
    committee = [w.committee_member, make_user("api-committee-2@example.com", "Lot Commissie", Role.COACH)]
    w.api_committee = committee
    w.api_complaint_lodged = lodged()
    w.api_complaint_registered = registered()
    w.api_complaint = registered()
    w.api_complaint_letter = actions.acknowledge(actor=w.outsider, complaint=w.api_complaint, now=w.now)
    w.api_complaint_admitted = registered()
    actions.decide_admission(actor=w.outsider, complaint=w.api_complaint_admitted, now=w.now, admitted=True)
    actions.appoint_committee(actor=w.outsider, complaint=w.api_complaint_admitted, coaches=committee, now=w.now)
    w.api_complaint_document = actions.add_document(actor=w.outsider, complaint=w.api_complaint_admitted, now=w.now,
                                                    upload=pdf())
    w.api_complaint_umbrella = registered(level="umbrella")
    w.api_complaint_ruled = registered(level="umbrella")
    actions.record_ruling(actor=w.outsider, complaint=w.api_complaint_ruled, now=w.now, ruling="founded",
                          ruling_on=w.now.date())
    w.api_complaint_settled = settled()
    w.api_committee_letter = w.api_complaint_settled.letters.get()
    ClosureDay.objects.create(date=datetime.date(2026, 12, 31), description="Oudjaar")
    w.api_complaint_unreached = settled()
    for _ in range(3):
        actions.log_call(actor=w.outsider, complaint=w.api_complaint_unreached, now=w.now, reached=False)


def complaint(attr):
    return lambda w: {"complaint_id": getattr(w, attr).public_id}


case = complaint("api_complaint")


def lodge_body(w):
    """The client lodges in the portal; staff record how the complaint reached them."""
    body = {"subject": "service", "category": "planning", "description": "Te laat."}
    if w.persona in ("client", "other_client"):
        return body
    return {**body, "channel": "letter", "name": "Piet Klager", "email": "piet@example.com"}


API_ROUTES = [
    ("get", "/api/complaints/reports/uwv", {"_query": "?start=2026-01-01&end=2026-12-31"}, None, None, HANDLERS_ONLY),
    ("get", "/api/complaints/reports/evaluation", {"_query": "?year=2026"}, None, None, HANDLERS_ONLY),
    ("get", "/api/complaints/letter-templates", {}, None, None, HANDLERS_ONLY),
    ("get", "/api/complaints/closure-days", {}, None, None, HANDLERS_ONLY),
    ("get", "/api/complaints/procedure-notices", {}, None, None, {p: 403 for p in EVERYONE} | {"management": 200}),
    ("post", "/api/complaints/procedure-notices", {}, lambda w: {"trajectory": str(w.trajectory.public_id)}, "json",
     {p: 403 for p in EVERYONE} | {"management": 201}),
    ("get", "/api/complaints/procedure.pdf", {}, None, None, {p: 200 for p in EVERYONE}),
    ("post", "/api/complaints/closure-days", {}, lambda w: {"date": "2026-12-28", "description": "Kerstsluiting"},
     "json", {p: 403 for p in EVERYONE} | {"management": 201}),
    ("delete", "/api/complaints/closure-days/{date}", {"date": "2026-12-31"}, None, None,
     {p: 403 for p in EVERYONE} | {"management": 200}),
    ("put", "/api/complaints/letter-templates/{kind}/{language}", {"kind": "settlement", "language": "en"},
     lambda w: {"subject": "Settlement of your complaint", "body": "Dear {name},\n\n{text}"}, "json",
     {p: 403 for p in EVERYONE} | {"management": 200}),
    # The register lists only what the caller may see (possibly nothing).
    ("get", "/api/complaints/", {}, None, None, {p: 200 for p in EVERYONE}),
    ("post", "/api/complaints/", {}, lodge_body, "json",
     {p: 201 for p in EVERYONE} | {"therapist": 403, "auditor": 403}),
    ("get", "/api/complaints/{complaint_id}", case, None, None, CASE_READ),
    ("get", "/api/complaints/{complaint_id}", complaint("api_complaint_admitted"), None, None, COMMITTEE_CASE_READ),
    ("post", "/api/complaints/{complaint_id}/register", complaint("api_complaint_lodged"), lambda w: {}, "json",
     CASE_STEP),
    ("put", "/api/complaints/{complaint_id}/language", case, lambda w: {"language": "en"}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/acknowledgement", complaint("api_complaint_registered"),
     lambda w: {"text": ""}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/admission", case, lambda w: {"admitted": True}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/committee", complaint("api_complaint_registered"),
     lambda w: {"coaches": [str(c.public_id) for c in w.api_committee]}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/extension", case,
     lambda w: {"new_date": "2027-01-29", "told_via": "letter", "text": ""}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/settlement", complaint("api_complaint_admitted"),
     lambda w: {"text": "Afspraken worden voortaan bevestigd.", "measures": ""}, "json", COMMITTEE_CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/ruling", complaint("api_complaint_umbrella"),
     lambda w: {"ruling": "founded", "ruling_on": timezone.localdate().isoformat()}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/ruling-communicated", complaint("api_complaint_ruled"),
     lambda w: {"text": ""}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/calls", complaint("api_complaint_settled"),
     lambda w: {"reached": True, "satisfied": True}, "json", COMMITTEE_CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/not-reached-letter", complaint("api_complaint_unreached"), None, None,
     COMMITTEE_CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/mediation", complaint("api_complaint_settled"),
     lambda w: {"text": ""}, "json", COMMITTEE_CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/umbrella", complaint("api_complaint_admitted"),
     lambda w: {"note": "De klager diende haar klacht in bij de koepel."}, "json", COMMITTEE_CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/close", case,
     lambda w: {"outcome": "withdrawn", "note": "Ingetrokken."}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/notes", case, lambda w: {"note": "Gebeld."}, "json", CASE_STEP),
    ("post", "/api/complaints/{complaint_id}/notes", complaint("api_complaint_admitted"),
     lambda w: {"note": "Commissie hoort klager volgende week."}, "json", CASE_STEP | {"committee": 200}),
    # Staff who see the case share documents with it and read them (the committee too); the
    # complainant reads her complaint, not its documents (403), as on the pages.
    ("post", "/api/complaints/{complaint_id}/documents", complaint("api_complaint_admitted"),
     lambda w: {"file": pdf()}, "multipart",
     COMMITTEE_CASE_STEP | {"management": 201, "outsider": 201, "committee": 201}),
    ("get", "/api/complaints/{complaint_id}/documents/{document_id}",
     lambda w: {"complaint_id": w.api_complaint_admitted.public_id,
                "document_id": w.api_complaint_document.public_id}, None, None, COMMITTEE_CASE_STEP | {
         "management": 200, "outsider": 200, "committee": 200}),
    ("get", "/api/complaints/{complaint_id}/letters/{letter_id}",
     lambda w: {**case(w), "letter_id": w.api_complaint_letter.public_id}, None, None, CASE_READ),
    ("get", "/api/complaints/{complaint_id}/letters/{letter_id}",
     lambda w: {"complaint_id": w.api_complaint_settled.public_id, "letter_id": w.api_committee_letter.public_id},
     None, None, CASE_READ | {"committee": 403}),
]
