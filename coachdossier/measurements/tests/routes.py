"""Access matrix rows for the measurement pages (see coachdossier/tests/matrix.py). The
matrix therapist has no referral to Carla, so every client route is 404 for them; the
referred therapist's narrow access is tested in test_views.py."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.measurements import actions
from coachdossier.tests.matrix import Route

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def setup(w):
    from coachdossier.clients.management.commands.demo import DEMO_PDF

    w.measurement = actions.record_session(
        actor=w.therapist, client=w.own_client, measured_on=w.now.date(), protocol="rest",
        values={"breathing_rate_per_min": 12}, conclusions="Rustig.",
        report=SimpleUploadedFile("rapport.pdf", DEMO_PDF),
        rr_file=SimpleUploadedFile("rr.txt", (SAMPLES / "rr-plain.txt").read_bytes()), now=w.now)


def client(w):
    return {"client_id": w.own_client.public_id}


def session(w):
    return {"client_id": w.own_client.public_id, "session_id": w.measurement.public_id}


# Who reads Carla's measurements: her coach and Carla herself; the therapist only with a referral.
READ = {"coach": 200, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403,
        "therapist": 404, "outsider": 404, "auditor": 403}
THERAPIST_ONLY = {"coach": 403, "other_coach": 403, "committee": 403, "client": 403, "other_client": 403,
                  "management": 403, "therapist": 404, "outsider": 403, "auditor": 403}

ROUTES = [
    Route("measurements:caseload", expect={**{k: 403 for k in THERAPIST_ONLY}, "therapist": 200}),
    Route("measurements:client", client, expect=READ),
    Route("measurements:session_new", client, expect=THERAPIST_ONLY),
    Route("measurements:session", session, expect=READ),
    Route("measurements:upload_rr", session, method="POST", expect=THERAPIST_ONLY),
    Route("measurements:report", session, expect=READ),
    Route("measurements:rr_file", session, expect=READ),
]
