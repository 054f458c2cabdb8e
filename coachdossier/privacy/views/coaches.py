"""The coach registry (GC-4): profiles, fees, CVs and the profile to share."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role, User
from coachdossier.clients.forms import apply_errors

from .. import actions, registry
from ..forms import CoachProfileForm, CvForm, FeeForm
from ..models import CoachProfile
from ..pdfs import coach_profile_pdf


@require_GET
@role_required(Role.MANAGEMENT)
def registry_list(request):
    today = timezone.localdate()
    profiles = list(CoachProfile.objects.select_related("coach").prefetch_related("fees"))
    # GC-4.4: the page warns before the insurance expires, as the reminder mail and the dashboard do.
    horizon = today + datetime.timedelta(days=registry.REMINDER_DAYS)
    rows = [{"profile": p, "problems": p.problems(today),
             "expiring": bool(p.insurance_expires_on and today <= p.insurance_expires_on <= horizon)}
            for p in profiles]
    return render(request, "privacy/registry.html", {
        "rows": rows, "unregistered": registry.coaches_without_profile(), "today": today,
        "reminder_days": registry.REMINDER_DAYS,
    })


def _coach(coach_id):
    coach = User.objects.filter(public_id=coach_id, is_active=True).first()
    if coach is None or not coach.has_role(Role.COACH):
        raise Http404
    return coach


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def profile_edit(request, coach_id):
    coach = _coach(coach_id)
    profile = CoachProfile.objects.filter(coach=coach).first()
    initial = {name: getattr(profile, name) for name in actions.PROFILE_FIELDS} if profile else {}
    form = CoachProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_coach_profile(actor=request.user, coach=coach, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The registry entry of %(name)s has been saved.") % {"name": coach.full_name})
            return redirect("privacy:registry")
    return render(request, "privacy/profile_form.html", {"form": form, "coach": coach, "profile": profile})


def _profile(profile_id):
    return get_object_or_404(CoachProfile.objects.select_related("coach").prefetch_related("fees"),
                             public_id=profile_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def fee_new(request, profile_id):
    profile = _profile(profile_id)
    form = FeeForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_fee(actor=request.user, profile=profile, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The fee payment has been recorded."))
            return redirect("privacy:registry")
    return render(request, "privacy/fee_form.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def cv_upload(request, profile_id):
    profile = _profile(profile_id)
    form = CvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.upload_cv(actor=request.user, profile=profile, upload=form.cleaned_data["cv"], now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The CV has been saved."))
            return redirect("privacy:registry")
    return render(request, "privacy/cv_form.html", {"form": form, "profile": profile})


@require_GET
@role_required(Role.MANAGEMENT)
def cv_download(request, profile_id):
    return cv_file(_profile(profile_id))


@require_GET
@role_required(Role.MANAGEMENT)
def profile_pdf(request, profile_id):
    return profile_pdf_file(_profile(profile_id), language=request.LANGUAGE_CODE[:2])


def cv_file(profile):
    """The coach's CV as uploaded; the page and the API answer with this."""
    if not profile.cv_storage_name:
        raise Http404
    response = HttpResponse(actions.read_cv(profile), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="cv-{profile.public_id}.bin"'
    filename = profile.cv_filename.replace('"', "")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def profile_pdf_file(profile, *, language):
    """GC-4.5: the coach's profile to share with a client or principal on request."""
    response = HttpResponse(coach_profile_pdf(profile, today=timezone.localdate(), language=language),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="coach-profile-{profile.public_id}.pdf"'
    return response
