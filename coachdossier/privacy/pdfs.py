"""The coach profile PDF (GC-4.5): what a client or principal may ask to see about a coach."""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coachdossier import policy
from coachdossier.lib import pdf
from coachdossier.lib.dates import format_date


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
                # GC-4.5: whoever receives the profile sees how current it is.
                (_("Profile last updated on"), _date(timezone.localdate(profile.updated_at), language)),
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


def processing_register_pdf(context, *, language: str = "nl") -> bytes:
    """LAW-30: the processing register, printable, generated from the data inventory."""
    from . import inventory

    with translation.override(language):
        controller = context["controller"]
        sections = [pdf.Section(_("Controller"), [pdf.KeyValues([
            (_("Name"), controller["name"]), (_("Address"), ", ".join(controller["address"])),
            (_("Phone"), controller["phone"]), (_("Email"), controller["email"]),
        ])])]
        for row in context["rows"]:
            activity = row["activity"]
            blocks: list[pdf.Block] = [pdf.KeyValues([
                (_("Purpose"), str(activity.purpose)), (_("Legal basis"), str(activity.legal_basis)),
                (_("Data subjects"), str(activity.subjects)), (_("Recipients"), str(activity.recipients)),
                (_("Retention"), row["retention"]),
            ])]
            table_rows = [[str(label), field, str(inventory.PROTECTION_LABELS[protection])]
                          for label, items in row["categories"] for field, protection in items]
            if table_rows:
                blocks.append(pdf.Table([_("Category"), _("Field"), _("Protection")], table_rows, (2, 3, 3)))
            sections.append(pdf.Section(str(activity.name), blocks))
        sections.append(pdf.Section(_("Security measures"),
                                    [pdf.Paragraph(str(measure)) for measure in context["security_measures"]]))
        sections.append(pdf.Section(_("Processors"), [pdf.Table(
            [_("Processor"), _("Service"), _("Agreement"), _("Location")],
            [[p.name, p.service, f"{p.agreement_reference} ({_date(p.agreement_date, language)})", p.location]
             for p in context["processors"]] or [["—", "", "", ""]], (2, 2, 3, 1))]))
        dpia = context["dpia"]
        sections.append(pdf.Section(_("DPIA"), [pdf.Paragraph(
            (_("%(title)s, version %(version)s, approved on %(date)s.") % {
                "title": dpia.title, "version": dpia.version, "date": _date(dpia.approved_on, language)})
            if dpia else _("No DPIA recorded."))]))
        return pdf.build_document(letterhead=letterhead(), title=_("Register of processing activities"),
                                  subtitle="AVG art. 30 · " + _("data inventory") + f" {context['fingerprint']}",
                                  sections=sections, confidential=False, language=language)


def security_report_pdf(r: dict, *, language: str = "nl") -> bytes:
    """GC-6.6: the auditor's security report, without any client content."""

    def when(value):
        if not value:
            return "—"
        # The practice's time (not the server's) in the PDF's language, as the page writes it.
        return format_date(timezone.localtime(value), "DATETIME_FORMAT")

    def run(item):
        if not item:
            return _("never")
        return when(item.at) + " · " + (_("ok") if item.ok else _("failed"))

    with translation.override(language):
        enc = r["encryption"]
        sections = [
            pdf.Section(_("Accounts"), [pdf.KeyValues([
                (_("Staff accounts with two-step verification"), f"{r['mfa']['with_mfa']} / {r['mfa']['staff']}"),
                (_("Without two-step verification"), ", ".join(r["mfa"]["without"]) or "—"),
                (_("Confidentiality statement signed"),
                 f"{r['confidentiality']['signed']} / {r['confidentiality']['staff']}"),
                (_("Not signed"), ", ".join(r["confidentiality"]["without"]) or "—"),
                (_("Inactive for %(days)s days or more") % {"days": r["inactive_days"]},
                 ", ".join(name for name, _login in r["inactive"]) or "—"),
            ])]),
            pdf.Section(_("Encryption"), [pdf.KeyValues([
                (_("Client data keys"), f"{enc['keys']} (" + _("clients") + f": {enc['clients']})"),
                (_("Current master key"), enc["current_master_key"]),
                (_("Keys still on an older master key"), str(enc["keys_on_old_master_key"])),
                (_("Oldest data key"), when(enc["oldest_key"])),
                (_("Last key rotation"), when(enc["last_rewrap"])),
            ])]),
            pdf.Section(_("Backups and the access log"), [pdf.KeyValues([
                (_("Last backup"), run(r["last_backup"])),
                (_("Last verified backup"), run(r["last_verified"])),
                *([(_("Latest verification failed"), when(r["last_verify_run"].at))]
                  if r["last_verify_run"] and not r["last_verify_run"].ok else []),
                (_("Last tested restore"), run(r["last_restore"])),
                (_("Last access-log verification"), run(r["last_log_check"])),
            ])]),
            pdf.Section(_("Coach registry"), [pdf.KeyValues([
                (_("Coaches in good standing"), f"{r['registry']['good_standing']} / {r['registry']['coaches']}"),
                (_("Not in good standing"), ", ".join(f"{name} ({'; '.join(str(p) for p in problems)})"
                                                      for name, problems in r["registry"]["not_in_good_standing"])
                 or "—"),
                (_("Not yet in the registry"), ", ".join(r["registry"]["not_in_registry"]) or "—"),
            ])]),
            pdf.Section(_("Open matters"), [pdf.KeyValues([
                (_("Open data breaches"), f"{r['open_breaches']} (" + _("late") + f": {r['late_breaches']})"),
                (_("Data breaches of the last 12 months decided later than %(hours)s hours after discovery, or "
                   "still undecided") % {"hours": r["breach_notify_hours"]}, str(r["late_breach_decisions"])),
                (_("Overdue destruction requests"), "—" if r["overdue_destruction_requests"] is None
                 else str(r["overdue_destruction_requests"])),
                (_("Dossiers past their retention term"), str(r["retention_backlog"])
                 + (" (" + _("kept by a legal hold or a pending complaint") + f": {r['retention_kept']})"
                    if r["retention_kept"] else "")),
            ])]),
        ]
        return pdf.build_document(letterhead=letterhead(), title=_("Security report"),
                                  subtitle=when(r["generated_at"]), sections=sections, language=language)
