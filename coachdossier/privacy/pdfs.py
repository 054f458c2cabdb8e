"""The coach profile PDF (GC-4.5): what a client or principal may ask to see about a coach."""

import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from coachdossier import policy
from coachdossier.lib import pdf


def letterhead() -> pdf.Letterhead:
    p = policy.current()
    return pdf.Letterhead(name=p.practice_name, address_lines=p.practice_address, phone=p.practice_phone,
                          email=p.practice_email)


def _date(d, language):
    if not d:
        return "—"
    return pdf.format_date_nl(d) if language == "nl" else pdf.format_date_en(d)


def coach_profile_pdf(profile, *, today: datetime.date, language: str = "nl") -> bytes:
    with translation.override(language):
        problems = profile.problems(today)
        standing = _("in good standing") if not problems else "; ".join(str(p) for p in problems)
        fees = ", ".join(str(f.year) for f in profile.fees.all()) or "—"
        sections = [
            pdf.Section(_("Registration"), [pdf.KeyValues([
                (_("Coach"), profile.coach.full_name),
                (_("Registration status"), str(profile.get_registration_status_display())),
                (_("Registration number"), profile.registration_number or "—"),
                (_("Registered on"), _date(profile.registered_on, language)),
                (_("Annual fee paid for"), fees),
                (_("Standing on %(date)s") % {"date": _date(today, language)}, standing),
            ])]),
            pdf.Section(_("Professional liability insurance"), [pdf.KeyValues([
                (_("Insurer"), profile.insurer or "—"),
                (_("Policy number"), profile.policy_number or "—"),
                (_("Valid until"), _date(profile.insurance_expires_on, language)),
            ])]),
            pdf.Section(_("Qualifications"), [pdf.Paragraph(profile.qualifications or "—")]),
            pdf.Section(_("Methods"), [pdf.Paragraph(profile.methods or "—")]),
            pdf.Section(_("CV"), [pdf.Paragraph(
                _("Last updated on %(date)s; available on request.") % {"date": _date(profile.cv_updated_on, language)}
                if profile.cv_updated_on else _("No CV on file."))]),
        ]
        return pdf.build_document(letterhead=letterhead(), title=_("Coach profile"), subtitle=profile.coach.full_name,
                                  sections=sections, confidential=False, language=language)
