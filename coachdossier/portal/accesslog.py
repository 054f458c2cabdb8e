"""'Who looked at my file' (LAW-NEN7513): the access log of one client in plain language."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients.models import BreakGlass

# What each logged action means, said to the client. `{who}` is the person, `{when}` the time.
PHRASES = {
    "dossier.read": _lazy("{who} viewed your dossier"),
    "dossier.read_medical": _lazy("{who} viewed your dossier, including the medical entries"),
    "entry.read": _lazy("{who} opened an entry of your dossier"),
    "entry.read_medical": _lazy("{who} opened a medical entry of your dossier"),
    "attachment.download": _lazy("{who} downloaded an attachment of your dossier"),
    "entry.create": _lazy("{who} added an entry to your dossier"),
    "entry.edit": _lazy("{who} changed an entry of your dossier (the earlier version is kept)"),
    "entry.correct": _lazy("{who} corrected an entry at your request"),
    "client.personal_update": _lazy("{who} changed your personal data"),
    "client.personal_correct": _lazy("{who} corrected your personal data at your request"),
    "client.register": _lazy("{who} registered you as a client"),
    "client.see": _lazy("{who} looked up your name and status"),
    "client.list": _lazy("{who} saw your name in a list of clients"),
    "client.search": _lazy("{who} found your name in a search"),
    "trajectory.open": _lazy("{who} opened your trajectory"),
    "trajectory.activate": _lazy("{who} started your trajectory"),
    "trajectory.close": _lazy("{who} closed your trajectory"),
    "trajectory.assign_coach": _lazy("{who} assigned a coach to your trajectory"),
    "trajectory.manage": _lazy("{who} looked at your trajectory (without its content)"),
    "goal.write": _lazy("{who} wrote down the goal of your trajectory"),
    "session.log": _lazy("{who} recorded a session"),
    "consent.record": _lazy("{who} recorded a consent"),
    "consent.withdraw": _lazy("{who} withdrew a consent"),
    "consent.propose": _lazy("{who} proposed a substitute coach for your consent"),
    "consent.proposal_accept": _lazy("{who} agreed to a proposed substitute coach"),
    "consent.proposal_decline": _lazy("{who} declined a proposed substitute coach"),
    "consent.manage": _lazy("{who} opened your consents"),
    "referral.create": _lazy("{who} referred you to a biofeedback therapist"),
    "break_glass.start": _lazy("{who} used emergency access (break-glass) to your dossier"),
    "message.send": _lazy("{who} sent a secure message"),
    "messages.read": _lazy("{who} read your messages"),
    "portal.invite": _lazy("{who} invited you to the portal"),
    "portal.invitation_accept": _lazy("{who} activated the portal account"),
    "request.copy": _lazy("{who} asked for a copy of the dossier"),
    "request.correction": _lazy("{who} asked for a correction"),
    "request.destruction": _lazy("{who} asked for the dossier to be destroyed"),
    "request.copy_release": _lazy("{who} released a copy of your dossier"),
    "request.correction_decide": _lazy("{who} decided on your correction request"),
    "request.destruction_blocked": _lazy("{who} found that a legal duty to keep blocks destruction"),
    "request.recipients_told": _lazy("{who} recorded that recipients of your data were told"),
    "request.reminder": _lazy("The system sent a reminder about your request"),
    "requests.own": _lazy("{who} looked at your requests"),
    "requests.handle": _lazy("{who} opened one of your requests"),
    "copy.download": _lazy("{who} downloaded a copy of the dossier"),
    "access_log.read": _lazy("{who} looked at who viewed your dossier"),
    "communication.set": _lazy("{who} set how the practice may contact you"),
    "consent.own": _lazy("{who} opened your consents"),
    "measurements.read": _lazy("{who} viewed your measurements"),
    "questionnaires.read": _lazy("{who} viewed your questionnaires"),
    "reports.write": _lazy("{who} worked on a report"),
    "questionnaire.send": _lazy("{who} sent you a questionnaire"),
    "questionnaire.submit": _lazy("{who} filled in a questionnaire"),
    "questionnaire.save": _lazy("{who} saved answers of a questionnaire"),
    "dossier.write": _lazy("{who} opened your dossier to work in it"),
    "dossier.statement": _lazy("{who} added a statement of your own to the dossier"),
    "communication.own": _lazy("{who} looked at how the practice may contact you"),
    "messages.write": _lazy("{who} wrote a secure message"),
    "measurements.list": _lazy("{who} saw your name in the list of biofeedback clients"),
    "measurements.write": _lazy("{who} recorded a biofeedback measurement"),
    "measurements.download": _lazy("{who} downloaded a biofeedback measurement"),
    "questionnaires.send": _lazy("{who} prepared a questionnaire for you"),
    "questionnaires.answer": _lazy("{who} opened a questionnaire to fill in"),
    "referral.manage": _lazy("{who} handled your referral to a biofeedback therapist"),
    "reports.review": _lazy("{who} read a report about you before it was sent"),
    "reports.status": _lazy("{who} saw the state of reports about you (without their content)"),
    "privacy.manage": _lazy("{who} handled a privacy matter concerning your dossier"),
}

# Actions of later capabilities, by family, when no exact phrase exists.
PREFIX_PHRASES = {
    "complaint.": _lazy("{who} handled a step of your complaint"),
    "questionnaire.": _lazy("{who} worked with your questionnaires"),
    "measurement.": _lazy("{who} recorded or viewed a biofeedback measurement"),
    "report.": _lazy("{who} worked on a report about you"),
    "handover.": _lazy("{who} prepared the hand-over of your dossier to UWV"),
    "data_breach.": _lazy("{who} recorded that a data breach concerned your data"),
    "confidentiality_breach.": _lazy("{who} recorded a breach of confidentiality concerning your data"),
    "supervision.": _lazy("{who} prepared a pseudonymised case summary for supervision"),
    "research.": _lazy("{who} prepared a pseudonymised research dataset"),
    "legal_hold.": _lazy("{who} recorded a legal duty to keep your dossier"),
}


@dataclass
class Line:
    at: object
    sentence: str
    action: str
    denied: bool
    break_glass: bool
    reason: str = ""


def _who(entry: AccessLogEntry, client_user_id) -> str:
    if entry.actor is None:
        return _("The system")
    if entry.actor_id == client_user_id:
        return _("You")
    name = entry.actor.full_name or _("a staff member")
    if entry.basis in (Basis.COACH, Basis.SUBSTITUTE) and "coach" in entry.role:
        return _("Your coach %(name)s") % {"name": name}
    if entry.basis == Basis.REFERRAL:
        return _("Biofeedback therapist %(name)s") % {"name": name}
    if entry.basis == Basis.MANAGEMENT:
        return _("%(name)s of the practice's management") % {"name": name}
    if entry.basis == Basis.COMPLAINTS:
        return _("%(name)s (complaints handling)") % {"name": name}
    return name


def describe(entry: AccessLogEntry, *, client_user_id=None, reasons: dict | None = None) -> Line:
    who = _who(entry, client_user_id)
    phrase = PHRASES.get(entry.action) or next(
        (p for prefix, p in PREFIX_PHRASES.items() if entry.action.startswith(prefix)),
        _("{who} accessed your dossier"))
    sentence = str(phrase).format(who=who)
    denied = entry.outcome == Outcome.DENIED
    if denied:
        sentence = _("%(who)s tried to open your dossier and was refused") % {"who": who}
    glass = entry.basis == Basis.BREAK_GLASS
    reason = (reasons or {}).get(entry.basis_ref, "") if glass else ""
    if glass and not denied and entry.action != "break_glass.start":
        sentence = _("%(sentence)s with emergency access (break-glass)") % {"sentence": sentence}
    return Line(at=entry.at, sentence=sentence, action=entry.action, denied=denied, break_glass=glass, reason=reason)


def lines_for(client, *, limit: int | None = 500) -> list[Line]:
    """The client's log, newest first, in plain language; break-glass entries carry their reason."""
    entries = AccessLogEntry.objects.for_client(client.public_id).select_related("actor").order_by("-seq")
    if limit:
        entries = entries[:limit]
    entries = list(entries)
    reasons = {str(g.public_id): g.reason for g in BreakGlass.objects.filter(client=client)}
    return [describe(e, client_user_id=client.user_id, reasons=reasons) for e in entries]
