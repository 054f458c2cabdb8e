"""Access matrix rows for the privacy pages (see coachdossier/tests/matrix.py)."""

from coachdossier.privacy import actions
from coachdossier.tests.matrix import Route

MANAGEMENT_ONLY = {"coach": 403, "other_coach": 403, "committee": 403, "client": 403, "other_client": 403,
                   "management": 200, "therapist": 403, "outsider": 403, "auditor": 403}
MANAGEMENT_AND_AUDITOR = {**MANAGEMENT_ONLY, "auditor": 200}
COACH_ONLY = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 403,
              "therapist": 403, "outsider": 403, "auditor": 403}


def setup(w):
    from coachdossier.privacy import deid_service

    deid_service.forget()  # as in a fresh web process: the supervision page answers 503 until warmed up
    w.profile = actions.save_coach_profile(actor=w.management, coach=w.coach, now=w.now,
                                           registration_status="registered", registered_on=w.now.date(),
                                           insurer="Verzekeraar NV", policy_number="P-1",
                                           insurance_expires_on=w.now.date().replace(year=w.now.year + 1))
    from coachdossier.clients import actions as client_actions

    w.uwv_trajectory = w.other_client.current_trajectory
    client_actions.close_trajectory(actor=w.management, trajectory=w.uwv_trajectory, now=w.now)
    w.handover = actions.create_handover(actor=w.management, client=w.other_client, trajectory=w.uwv_trajectory,
                                         now=w.now)
    w.breach = actions.record_data_breach(actor=w.management, discovered_at=w.now, title="Laptop kwijt",
                                          description="In de trein", data_affected="Geen (versleuteld)",
                                          people_affected="Onbekend", now=w.now)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachdossier.clients.management.commands.demo import DEMO_PDF

    w.dpia = actions.upload_dpia(actor=w.management, title="DPIA", version="1.0", approved_on=w.now.date(),
                                 upload=SimpleUploadedFile("dpia.pdf", DEMO_PDF), now=w.now)
    w.research_consent = client_actions.record_consent(
        actor=w.coach, client=w.own_client, kind="research", given_via="writing", valid_from=w.now.date(),
        now=w.now, evidence=SimpleUploadedFile("toestemming.pdf", DEMO_PDF))
    w.hold = actions.place_legal_hold(actor=w.management, client=w.own_client, reason="Rechtszaak 2026/1", now=w.now)


def profile(w):
    return {"profile_id": w.profile.public_id}


def client(w):
    return {"client_id": w.own_client.public_id}


ROUTES = [
    Route("privacy:overview", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:registry", expect=MANAGEMENT_ONLY),
    Route("privacy:profile_edit", lambda w: {"coach_id": w.coach.public_id}, expect=MANAGEMENT_ONLY),
    Route("privacy:fee_new", profile, expect=MANAGEMENT_ONLY),
    Route("privacy:cv_upload", profile, expect=MANAGEMENT_ONLY),
    # No CV uploaded in the matrix world: management gets 404, everyone else stops at the role.
    Route("privacy:cv_download", profile, expect={**MANAGEMENT_ONLY, "management": 404}),
    Route("privacy:profile_pdf", profile, expect=MANAGEMENT_ONLY),
    Route("privacy:retention", expect=MANAGEMENT_ONLY),
    Route("privacy:legal_hold_new", client, expect=MANAGEMENT_ONLY),
    Route("privacy:legal_hold_release", lambda w: {**client(w), "hold_id": w.hold.public_id}, method="POST",
          expect={**MANAGEMENT_ONLY, "management": 302}),
    Route("privacy:checkpoints", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:checkpoints_download", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:handovers", expect=MANAGEMENT_ONLY),
    Route("privacy:handover", client, expect=MANAGEMENT_ONLY),
    Route("privacy:handover_download", lambda w: {"client_id": w.other_client.public_id,
                                                  "handover_id": w.handover.public_id}, expect=MANAGEMENT_ONLY),
    # The package belongs to Daan: asked under Carla's id it does not exist.
    Route("privacy:handover_deliver", lambda w: {**client(w), "handover_id": w.handover.public_id},
          expect={**MANAGEMENT_ONLY, "management": 404}),
    Route("privacy:confidentiality_register", expect=MANAGEMENT_ONLY),
    Route("privacy:confidentiality_new", client, expect=COACH_ONLY),
    Route("privacy:breaches", expect=MANAGEMENT_ONLY),
    Route("privacy:breach_new", expect=MANAGEMENT_ONLY),
    Route("privacy:breach_detail", lambda w: {"breach_id": w.breach.public_id}, expect=MANAGEMENT_ONLY),
    Route("privacy:breach_client", lambda w: {"breach_id": w.breach.public_id}, method="POST",
          expect={**MANAGEMENT_ONLY, "management": 302}),
    Route("privacy:breach_close", lambda w: {"breach_id": w.breach.public_id}, method="POST",
          expect={**MANAGEMENT_ONLY, "management": 302}),
    Route("privacy:processing", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:processing_pdf", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:processor_new", expect=MANAGEMENT_ONLY),
    Route("privacy:dpia_new", expect=MANAGEMENT_ONLY),
    Route("privacy:dpia_download", lambda w: {"dpia_id": w.dpia.public_id}, expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:security_report", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:security_report_pdf", expect=MANAGEMENT_AND_AUDITOR),
    Route("privacy:log_review", expect=MANAGEMENT_AND_AUDITOR),
    # deduce is not built in the matrix run: the coach gets the polite 503 "being prepared" page.
    Route("privacy:supervision", client, expect={**COACH_ONLY, "coach": 503}),
    Route("privacy:research", expect={**COACH_ONLY, "other_coach": 200, "committee": 200, "management": 200}),
    Route("privacy:umbrella_approval", lambda w: {**client(w), "consent_id": w.research_consent.public_id},
          method="POST", expect={**COACH_ONLY, "coach": 302}),
]
