"""Measurement pages. The biofeedback therapist sees only clients referred to them, and of
those only this section (GC-9.1): a caseload, the client's measurements, recording a
session, RR import. Coach and client read the same measurement pages through the policy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access, crypto
from coachdossier.clients.access import ACTIONS
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client

from . import actions, trends
from .forms import RRUploadForm, SessionForm
from .models import MeasurementSession

READ_ROLES = (Role.THERAPIST, Role.COACH, Role.CLIENT, Role.MANAGEMENT, Role.COMPLAINTS_OFFICER)


def _lang():
    return "en" if (get_language() or "nl").startswith("en") else "nl"


@require_GET
@role_required(Role.THERAPIST)
def caseload(request):
    """The therapist's referred clients: name and reference only, with measurement counts."""
    clients = list(Client.objects.visible_to(request.user, "measurements.write")
                   .annotate(n_sessions=Count("measurements"), last_measured=Max("measurements__measured_on"))
                   .order_by("reference"))
    crypto.KeyRing.load(c.public_id for c in clients)
    access.log_list(request.user, "measurements.list", clients)
    return render(request, "measurements/caseload.html", {"clients": clients})


def _sessions(client):
    return list(MeasurementSession.objects.filter(client=client).select_related("recorded_by", "client"))


@require_GET
@role_required(*READ_ROLES)
def client_measurements(request, client_id):
    client, grant = access.get_client_for(request, client_id, "measurements.read")
    sessions = _sessions(client)
    for s in sessions:
        s.client = client
    return render(request, "measurements/client.html", {
        "client": client, "grant": grant, "sessions": sessions, "over_time": trends.over_time(sessions),
        "may_write": grant.basis in ACTIONS["measurements.write"],
    })


@require_http_methods(["GET", "POST"])
@role_required(Role.THERAPIST)
def session_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "measurements.write", log=False)
    form = SessionForm(request.POST or None, request.FILES or None, initial={"measured_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.record_session(actor=request.user, client=client, measured_on=data["measured_on"],
                                             protocol=data["protocol"], values=form.values(),
                                             conclusions=data["conclusions"], report=data["report"],
                                             rr_file=data["rr_file"], now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The measurement session has been recorded."))
            return redirect("measurements:session", client.public_id, session.public_id)
    return render(request, "measurements/session_form.html", {"client": client, "form": form})


def session_for(request, client_id, session_id, action):
    """The client through the policy, then the session among theirs (404, logged); the API's too."""
    client, grant = access.get_client_for(request, client_id, action, log=False)
    session = MeasurementSession.objects.filter(client=client, public_id=session_id).select_related(
        "recorded_by").first()
    if session is None:
        access.deny(request.user, action, client_ref=client.public_id)
    session.client = client
    return client, grant, session


@require_GET
@role_required(*READ_ROLES)
def session_detail(request, client_id, session_id):
    client, grant, session = session_for(request, client_id, session_id, "measurements.read")
    access.log_access(client, grant, "measurements.read", obj=session)
    return render(request, "measurements/session.html", {
        "client": client, "grant": grant, "session": session, "charts": trends.session_charts(session),
        "hrv": trends.hrv_rows(session, _lang()), "may_write": grant.basis in ACTIONS["measurements.write"],
        "rr_form": RRUploadForm(),
    })


@require_POST
@role_required(Role.THERAPIST)
def upload_rr(request, client_id, session_id):
    client, grant, session = session_for(request, client_id, session_id, "measurements.write")
    form = RRUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.import_rr(actor=request.user, session=session, rr_file=form.cleaned_data["rr_file"],
                              now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The RR intervals have been analysed."))
            return redirect("measurements:session", client.public_id, session.public_id)
    return render(request, "measurements/session.html", {
        "client": client, "grant": grant, "session": session, "charts": trends.session_charts(session),
        "hrv": trends.hrv_rows(session, _lang()), "may_write": True, "rr_form": form,
    }, status=422)


@require_GET
@role_required(*READ_ROLES)
def download(request, client_id, session_id, part):
    return file_download(request, client_id, session_id, part)


def file_download(request, client_id, session_id, part):
    """The device's report (PDF) or the RR file, decrypted; every download is logged. The page
    and the API answer with this."""
    client, grant, session = session_for(request, client_id, session_id, "measurements.read")
    name = session.report_filename if part == "report" else session.rr_filename
    if not name:
        access.deny(request.user, "measurements.download", client_ref=client.public_id)
    access.log_access(client, grant, "measurements.download", obj=session)
    data = actions.read_file(session, part)
    response = HttpResponse(data, content_type="application/pdf" if part == "report" else "text/plain")
    response["Content-Disposition"] = f'attachment; filename="{_safe(name)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _safe(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._- ")[:100] or "file"
