"""Access matrix rows for the client-records pages (see coachdossier/tests/matrix.py)."""

from coachdossier.clients import actions
from coachdossier.clients.models import EntryKind
from coachdossier.tests.matrix import PERSONAS, Route


def setup(w):
    w.entry = actions.add_entry(actor=w.coach, client=w.own_client, kind=EntryKind.FACT, occurred_on=w.now.date(),
                                title="Werkgever", text="Werkt 32 uur.", now=w.now)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachdossier.clients.management.commands.demo import DEMO_PDF

    w.consent = actions.record_consent(actor=w.coach, client=w.own_client, kind="disclosure", recipient="Bedrijfsarts",
                                       purpose="Afstemming", data_scope="Voortgang", given_via="writing",
                                       valid_from=w.now.date(), now=w.now,
                                       evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF))
    w.attachment = w.consent.evidence
    w.trajectory = w.own_client.current_trajectory


def client(w):
    return {"client_id": w.own_client.public_id}


def trajectory(w):
    return {"client_id": w.own_client.public_id, "trajectory_id": w.trajectory.public_id}


# Who may read Carla's dossier: her coach Alice. Everyone else with a dossier role but no
# relationship gets 404; roles that never see dossiers get 403 before the policy is asked.
DOSSIER_READ = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403,
                "management": 403, "therapist": 404, "outsider": 404, "auditor": 403}
COACH_ONLY = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 403,
              "therapist": 403, "outsider": 403, "auditor": 403}
MANAGEMENT_ONLY = {"coach": 403, "other_coach": 403, "committee": 403, "client": 403, "other_client": 403,
                   "management": 200, "therapist": 403, "outsider": 403, "auditor": 403}


def post(expect_ok):
    return {**{k: v for k, v in COACH_ONLY.items()}, "coach": expect_ok}


ROUTES = [
    # A client's overview is the portal's: "/" sends her there.
    Route("home", expect={**{p: 200 for p in ("coach", "other_coach", "committee", "management", "therapist",
                                              "outsider", "auditor")}, "client": 302, "other_client": 302}),
    Route("health", expect={p: 200 for p in PERSONAS}, public=True),
    Route("clients:list", expect={**COACH_ONLY, "other_coach": 200, "committee": 200}),
    Route("clients:break_glass", expect={"coach": 200, "other_coach": 200, "committee": 200, "client": 403,
                                         "other_client": 403, "management": 200, "therapist": 200, "outsider": 200,
                                         "auditor": 403}),
    Route("clients:admin_list", expect=MANAGEMENT_ONLY),
    Route("clients:register", expect=MANAGEMENT_ONLY),
    Route("clients:principals", expect=MANAGEMENT_ONLY),
    Route("clients:principal_new", expect=MANAGEMENT_ONLY),
    Route("clients:admin_detail", client, expect=MANAGEMENT_ONLY),
    Route("clients:trajectory_new", client, expect=MANAGEMENT_ONLY),
    Route("clients:trajectory_close", trajectory, method="POST", expect={**MANAGEMENT_ONLY, "management": 302}),
    Route("clients:trajectory_assign", trajectory, method="POST", expect={**MANAGEMENT_ONLY, "management": 302}),
    Route("clients:trajectory_terms", trajectory, expect=MANAGEMENT_ONLY),
    Route("clients:detail", client, expect=DOSSIER_READ),
    *(Route("clients:tab", lambda w, key=key: {**client(w), "tab": key}, expect=DOSSIER_READ)
      for key in ("questionnaires", "measurements", "reports", "portal", "privacy")),
    Route("clients:personal_edit", client, expect=COACH_ONLY),
    Route("clients:goal_new", client, expect=COACH_ONLY),
    Route("clients:trajectory_activate", trajectory, method="POST",
          expect={**COACH_ONLY, "coach": 302, "management": 302}),
    Route("clients:session_new", client, expect=COACH_ONLY),
    Route("clients:entry_new", client, expect=COACH_ONLY),
    Route("clients:entry", lambda w: {**client(w), "entry_id": w.entry.public_id}, expect=DOSSIER_READ),
    Route("clients:entry_edit", lambda w: {**client(w), "entry_id": w.entry.public_id}, expect=COACH_ONLY),
    Route("clients:entry_attachments", lambda w: {**client(w), "entry_id": w.entry.public_id}, method="POST",
          expect={**COACH_ONLY, "coach": 302}),
    Route("clients:attachment", lambda w: {**client(w), "attachment_id": w.attachment.public_id},
          expect=DOSSIER_READ),
    Route("clients:consent_new", client, expect=COACH_ONLY),
    Route("clients:consent_withdraw", lambda w: {**client(w), "consent_id": w.consent.public_id}, method="POST",
          expect={**COACH_ONLY, "coach": 302}),
    Route("clients:referral_new", client, expect=COACH_ONLY),
    Route("accounts:confidentiality", expect={p: 200 for p in ("coach", "other_coach", "committee", "client",
                                                               "other_client", "management", "therapist", "outsider",
                                                               "auditor")}),
    Route("accounts:security", expect={p: 200 for p in ("coach", "other_coach", "committee", "client", "other_client",
                                                         "management", "therapist", "outsider", "auditor")}),
    Route("accounts:tokens", expect={p: 200 for p in ("coach", "other_coach", "committee", "client", "other_client",
                                                       "management", "therapist", "outsider", "auditor")}),
    Route("accounts:set_language", method="POST", public=True, data=lambda w: {"language": "en", "next": "/"},
          expect={"anonymous": 302, **{p: 302 for p in ("coach", "other_coach", "committee", "client", "other_client",
                                                         "management", "therapist", "outsider", "auditor")}}),
    Route("accounts:revoke_token", lambda w: {"token_id": "00000000-0000-0000-0000-000000000000"}, method="POST",
          expect={p: 404 for p in ("coach", "other_coach", "committee", "client", "other_client", "management",
                                   "therapist", "outsider", "auditor")}),
]
