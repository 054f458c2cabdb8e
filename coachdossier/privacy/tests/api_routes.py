"""API access-matrix rows for the privacy router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona)."""

EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider",
            "auditor")
MANAGEMENT_ONLY = {p: 403 for p in EVERYONE} | {"management": 200}
MANAGEMENT_AND_AUDITOR = MANAGEMENT_ONLY | {"auditor": 200}
OWN_COACH = {p: 403 for p in EVERYONE} | {"coach": 200, "other_coach": 404, "committee": 404}
RESEARCHERS = MANAGEMENT_ONLY | {"coach": 200, "other_coach": 200, "committee": 200}  # GC-6.8: research.export


def created(table):
    return {p: (201 if s == 200 else s) for p, s in table.items()}


def setup(w):
    from coachdossier.clients import actions as client_actions
    from coachdossier.privacy import actions

    w.privacy_profile = actions.save_coach_profile(actor=w.management, coach=w.other_coach, now=w.now,
                                                   registration_status="pending")
    w.privacy_hold = actions.place_legal_hold(actor=w.management, client=w.own_client, reason="Zaak", now=w.now)
    w.privacy_breach = actions.record_data_breach(actor=w.management, discovered_at=w.now, title="Lek",
                                                  description="x", data_affected="x", people_affected="x", now=w.now)
    w.privacy_uwv_trajectory = w.other_client.current_trajectory
    client_actions.close_trajectory(actor=w.management, trajectory=w.privacy_uwv_trajectory, now=w.now)
    w.privacy_decided = actions.record_data_breach(actor=w.management, discovered_at=w.now, title="Verloren laptop",
                                                   description="x", data_affected="x", people_affected="x", now=w.now)
    actions.decide_data_breach(actor=w.management, breach=w.privacy_decided, decision="not_required",
                               reason="Versleuteld", now=w.now)
    w.privacy_dpia = actions.upload_dpia(actor=w.management, title="DPIA", version="1.0", approved_on=w.now.date(),
                                         upload=pdf("dpia.pdf"), now=w.now)
    w.privacy_handover = actions.create_handover(actor=w.management, client=w.other_client,
                                                 trajectory=w.privacy_uwv_trajectory, now=w.now)


def pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachdossier.clients.management.commands.demo import DEMO_PDF

    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def dpia_upload(w):
    return {"title": "DPIA", "version": "2.0", "approved_on": w.now.date().isoformat(), "document": pdf("dpia.pdf")}


def handover(w):
    return {"client_id": w.other_client.public_id, "handover_id": w.privacy_handover.public_id}


API_ROUTES: list[tuple] = [
    ("get", "/api/privacy/registry", {}, None, None, MANAGEMENT_ONLY),
    ("post", "/api/privacy/registry/{coach_id}/cv", lambda w: {"coach_id": w.other_coach.public_id},
     lambda w: {"cv": pdf("cv.pdf")}, "multipart", MANAGEMENT_ONLY),
    # The registry entry has no CV yet.
    ("get", "/api/privacy/registry/{coach_id}/cv", lambda w: {"coach_id": w.other_coach.public_id}, None, None,
     MANAGEMENT_ONLY | {"management": 404}),
    ("get", "/api/privacy/registry/{coach_id}/profile.pdf", lambda w: {"coach_id": w.other_coach.public_id}, None,
     None, MANAGEMENT_ONLY),
    ("put", "/api/privacy/registry/{coach_id}", lambda w: {"coach_id": w.coach.public_id},
     lambda w: {"registration_status": "registered", "registered_on": "2020-01-01"}, "json", MANAGEMENT_ONLY),
    ("post", "/api/privacy/registry/{coach_id}/fees", lambda w: {"coach_id": w.other_coach.public_id},
     lambda w: {"year": 2026, "paid_on": "2026-01-10"}, "json", created(MANAGEMENT_ONLY)),
    ("get", "/api/privacy/retention", {}, None, None, MANAGEMENT_ONLY),
    ("get", "/api/privacy/clients/{client_id}/holds", lambda w: {"client_id": w.own_client.public_id}, None, None,
     MANAGEMENT_ONLY),
    ("post", "/api/privacy/clients/{client_id}/holds", lambda w: {"client_id": w.own_client.public_id},
     lambda w: {"reason": "Rechtszaak"}, "json", created(MANAGEMENT_ONLY)),
    ("post", "/api/privacy/clients/{client_id}/holds/{hold_id}/release",
     lambda w: {"client_id": w.own_client.public_id, "hold_id": w.privacy_hold.public_id}, None, None,
     MANAGEMENT_ONLY),
    ("get", "/api/privacy/checkpoints", {}, None, None, MANAGEMENT_AND_AUDITOR),
    ("get", "/api/privacy/breaches", {}, None, None, MANAGEMENT_ONLY),
    ("post", "/api/privacy/breaches", {}, lambda w: {
        "discovered_at": "2026-11-22T09:00:00+01:00", "title": "Lek", "description": "x", "data_affected": "x",
        "people_affected": "x"}, "json", created(MANAGEMENT_ONLY)),
    ("post", "/api/privacy/breaches/{breach_id}/decision", lambda w: {"breach_id": w.privacy_breach.public_id},
     lambda w: {"decision": "not_required", "reason": "Geen risico"}, "json", MANAGEMENT_ONLY),
    ("get", "/api/privacy/confidentiality-breaches", {}, None, None, MANAGEMENT_ONLY),
    ("get", "/api/privacy/processing-register", {}, None, None, MANAGEMENT_AND_AUDITOR),
    ("get", "/api/privacy/handovers", {}, None, None, MANAGEMENT_ONLY),
    ("get", "/api/privacy/research", {}, None, None, RESEARCHERS),
    # Nobody in this world has both research consents: the export says so (GC-6.8).
    ("post", "/api/privacy/research/export", {}, lambda w: {"date_mode": "month", "fmt": "json"}, "json",
     {p: (422 if s == 200 else s) for p, s in RESEARCHERS.items()}),
    ("get", "/api/privacy/dpias", {}, None, None, MANAGEMENT_AND_AUDITOR),
    ("post", "/api/privacy/dpias", {}, dpia_upload, "multipart", created(MANAGEMENT_ONLY)),
    ("get", "/api/privacy/dpias/{dpia_id}/document", lambda w: {"dpia_id": w.privacy_dpia.public_id}, None, None,
     MANAGEMENT_AND_AUDITOR),
    ("get", "/api/privacy/clients/{client_id}/handovers", lambda w: {"client_id": w.other_client.public_id}, None,
     None, MANAGEMENT_ONLY),
    ("post", "/api/privacy/clients/{client_id}/handovers", lambda w: {"client_id": w.other_client.public_id},
     lambda w: {"trajectory_id": str(w.privacy_uwv_trajectory.public_id)}, "json", created(MANAGEMENT_ONLY)),
    ("get", "/api/privacy/security-report", {}, None, None, MANAGEMENT_AND_AUDITOR),
    ("post", "/api/privacy/breaches/{breach_id}/clients", lambda w: {"breach_id": w.privacy_breach.public_id},
     lambda w: {"reference": w.own_client.reference}, "json", MANAGEMENT_ONLY),
    ("post", "/api/privacy/breaches/{breach_id}/close", lambda w: {"breach_id": w.privacy_decided.public_id}, None,
     None, MANAGEMENT_ONLY),
    # GC-6.5: the coach records it (dossier.write): Bob has no relationship with Carla
    # GC-6.9: no entry chosen is a 422, answered without waiting for the de-identification model.
    ("post", "/api/privacy/clients/{client_id}/supervision/summary", lambda w: {"client_id": w.own_client.public_id},
     lambda w: {"entries": []}, "json", OWN_COACH | {"coach": 422}),
    ("post", "/api/privacy/clients/{client_id}/supervision/export", lambda w: {"client_id": w.own_client.public_id},
     lambda w: {"summary": "[PERSOON-1] werkt weer."}, "json", OWN_COACH),
    ("post", "/api/privacy/clients/{client_id}/confidentiality-breaches", lambda w: {"client_id": w.own_client.public_id},
     lambda w: {"occurred_on": "2026-11-20", "legal_ground": "danger", "reason": "Acuut gevaar",
                "recipient": "Huisarts", "shared": "Zorgen", "client_informed": True, "informed_on": "2026-11-21"},
     "json", created({p: 403 for p in EVERYONE} | {"coach": 200, "other_coach": 404, "committee": 404})),
    ("post", "/api/privacy/processors", {}, lambda w: {
        "name": "Hoster BV", "service": "Hosting", "agreement_reference": "VWO-1", "agreement_date": "2026-01-05",
        "location": "Amsterdam"}, "json", created(MANAGEMENT_ONLY)),
    ("get", "/api/privacy/clients/{client_id}/handovers/{handover_id}/package", handover, None, None,
     MANAGEMENT_ONLY),
    ("post", "/api/privacy/clients/{client_id}/handovers/{handover_id}/delivery", handover,
     lambda w: {"delivered_on": "2026-11-23", "method": "UWV-portaal"}, "json", MANAGEMENT_ONLY),
    ("get", "/api/privacy/log-review", {}, None, None, MANAGEMENT_AND_AUDITOR),
]
