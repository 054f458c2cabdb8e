"""Access matrix rows for the complaints pages (see coachdossier/tests/matrix.py).

The case is Carla's complaint, lodged by her in the portal. Kees (outsider) is the
complaints officer; neither Alice nor Bob sits on its committee, so for them it does not exist
(404). Cor (committee) does, with a second coach: she reads the case and its documents and adds
notes, but takes none of the handlers' steps and reads none of the letters (403, GC-9.4).
Carla sees her own complaint and its letters, Daan does not (404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.accounts.models import Role
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.complaints import actions
from coachdossier.complaints.models import ClosureDay
from coachdossier.test import make_user
from coachdossier.tests.matrix import Route


def setup(w):
    w.complaint = actions.lodge_complaint(actor=w.client_user, now=w.now, channel="portal", subject="service",
                                          category="planning", description="Afspraken werden vaak verzet.",
                                          client=w.own_client, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
    actions.register_complaint(actor=w.outsider, complaint=w.complaint, now=w.now)
    w.complaint_letter = actions.acknowledge(actor=w.outsider, complaint=w.complaint, now=w.now)
    actions.decide_admission(actor=w.outsider, complaint=w.complaint, now=w.now, admitted=True)
    second = make_user("lot@commissie.example.com", "Lot Commissie", Role.COACH)
    actions.appoint_committee(actor=w.outsider, complaint=w.complaint, coaches=[w.committee_member, second], now=w.now)
    w.complaint_document = w.complaint.documents.get()
    w.closure_day = ClosureDay.objects.create(date=w.now.date().replace(month=12, day=31), description="Oudjaar")


def case(w):
    return {"complaint_id": w.complaint.public_id}


ALL = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider", "auditor")
STAFF = {"coach": 200, "other_coach": 200, "committee": 200, "client": 403, "other_client": 403, "management": 200,
         "therapist": 403, "outsider": 200, "auditor": 403}
HANDLERS = {**STAFF, "coach": 403, "other_coach": 403, "committee": 403}
MANAGEMENT = {**HANDLERS, "outsider": 403}
CASE = {**STAFF, "coach": 404, "other_coach": 404}  # the committee member reads it (200)
CLIENTS = {p: 403 for p in ALL} | {"client": 200, "other_client": 200}

ROUTES = [
    Route("complaints:register", expect=STAFF),
    Route("complaints:new", expect=STAFF),
    Route("complaints:lodge", expect=CLIENTS),
    Route("complaints:procedure_pdf", expect={p: 200 for p in ALL}),
    Route("complaints:procedure", expect=MANAGEMENT),
    Route("complaints:procedure_send", method="POST", data=lambda w: {"trajectory": w.trajectory.public_id},
          expect={**MANAGEMENT, "management": 302}),
    Route("complaints:templates", expect=HANDLERS),
    Route("complaints:template_edit", lambda w: {"kind": "acknowledgement"}, expect=MANAGEMENT),
    Route("complaints:closures", expect=HANDLERS),
    Route("complaints:closure_delete", lambda w: {"day_id": w.closure_day.pk}, method="POST",
          expect={**MANAGEMENT, "management": 302}),
    Route("complaints:evaluation", expect=HANDLERS),
    Route("complaints:uwv", expect=HANDLERS),
    Route("complaints:detail", case, expect=CASE),
    Route("complaints:mine", case, expect={**CLIENTS, "other_client": 404}),
    Route("complaints:step", lambda w: {**case(w), "step": "note"}, method="POST", data=lambda w: {"note": "Gebeld."},
          expect={**CASE, "management": 302, "outsider": 302, "committee": 302}),
    # The complainant's language: a handler's step, like every other.
    Route("complaints:step", lambda w: {**case(w), "step": "language"}, method="POST",
          data=lambda w: {"language": "en"}, expect={**CASE, "management": 302, "outsider": 302, "committee": 403}),
    # A handler's step: the committee member sees the case but does not close it.
    Route("complaints:step", lambda w: {**case(w), "step": "close"}, method="POST",
          data=lambda w: {"outcome": "withdrawn"},
          expect={**CASE, "management": 302, "outsider": 302, "committee": 403}),
    Route("complaints:letter", lambda w: {**case(w), "letter_id": w.complaint_letter.public_id},
          expect={**CASE, "client": 200, "other_client": 404, "committee": 403}),
    Route("complaints:document", lambda w: {**case(w), "document_id": w.complaint_document.public_id}, expect=CASE),
]
