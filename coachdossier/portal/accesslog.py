"""'Who looked at my file' (LAW-NEN7513): the access log of one client in plain language."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachdossier.accounts.models import Role
from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients.models import BreakGlass

# What each logged action means, said to the client. `{who}` is the person, `{when}` the time.
PHRASES = {
    "dossier.read": gettext_lazy("{who} viewed your dossier"),
    "dossier.read_medical": gettext_lazy("{who} viewed your dossier, including the medical entries"),
    "entry.read": gettext_lazy("{who} opened an entry of your dossier"),
    "entry.read_medical": gettext_lazy("{who} opened a medical entry of your dossier"),
    "attachment.download": gettext_lazy("{who} downloaded an attachment of your dossier"),
    "entry.create": gettext_lazy("{who} added an entry to your dossier"),
    "entry.edit": gettext_lazy("{who} changed an entry of your dossier (the earlier version is kept)"),
    "entry.correct": gettext_lazy("{who} corrected an entry at your request"),
    "client.personal_update": gettext_lazy("{who} changed your personal data"),
    "client.personal_correct": gettext_lazy("{who} corrected your personal data at your request"),
    "client.register": gettext_lazy("{who} registered you as a client"),
    "client.see": gettext_lazy("{who} looked up your name and status"),
    "client.list": gettext_lazy("{who} saw your name in a list of clients"),
    "client.search": gettext_lazy("{who} found your name in a search"),
    "trajectory.open": gettext_lazy("{who} opened your trajectory"),
    "trajectory.activate": gettext_lazy("{who} started your trajectory"),
    "trajectory.close": gettext_lazy("{who} closed your trajectory"),
    "trajectory.assign_coach": gettext_lazy("{who} assigned a coach to your trajectory"),
    "trajectory.manage": gettext_lazy("{who} looked at your trajectory (without its content)"),
    "goal.write": gettext_lazy("{who} wrote down the goal of your trajectory"),
    "session.log": gettext_lazy("{who} recorded a session"),
    "consent.record": gettext_lazy("{who} recorded a consent"),
    "consent.withdraw": gettext_lazy("{who} withdrew a consent"),
    "consent.propose": gettext_lazy("{who} proposed a substitute coach for your consent"),
    "consent.proposal_accept": gettext_lazy("{who} agreed to a proposed substitute coach"),
    "consent.proposal_decline": gettext_lazy("{who} declined a proposed substitute coach"),
    "consent.manage": gettext_lazy("{who} opened your consents"),
    "referral.create": gettext_lazy("{who} referred you to a biofeedback therapist"),
    "break_glass.start": gettext_lazy("{who} used emergency access (break-glass) to your dossier"),
    "message.send": gettext_lazy("{who} sent a secure message"),
    "messages.read": gettext_lazy("{who} read your messages"),
    "portal.invite": gettext_lazy("{who} invited you to the portal"),
    "portal.invitation_accept": gettext_lazy("{who} activated the portal account"),
    "request.copy": gettext_lazy("{who} asked for a copy of the dossier"),
    "request.correction": gettext_lazy("{who} asked for a correction"),
    "request.destruction": gettext_lazy("{who} asked for the dossier to be destroyed"),
    "request.withdraw": gettext_lazy("{who} withdrew a request"),
    "request.copy_release": gettext_lazy("{who} released a copy of your dossier"),
    "request.correction_decide": gettext_lazy("{who} decided on your correction request"),
    "request.destruction_blocked": gettext_lazy("{who} found that a legal duty to keep blocks destruction"),
    "request.recipients_told": gettext_lazy("{who} recorded that recipients of your data were told"),
    "request.reminder": gettext_lazy("The system sent a reminder about your request"),
    "requests.own": gettext_lazy("{who} looked at your requests"),
    "requests.handle": gettext_lazy("{who} opened one of your requests"),
    "copy.download": gettext_lazy("{who} downloaded a copy of the dossier"),
    "access_log.read": gettext_lazy("{who} looked at who viewed your dossier"),
    "communication.set": gettext_lazy("{who} set how the practice may contact you"),
    "consent.own": gettext_lazy("{who} opened your consents"),
    "measurements.read": gettext_lazy("{who} viewed your measurements"),
    "questionnaires.read": gettext_lazy("{who} viewed your questionnaires"),
    "reports.write": gettext_lazy("{who} worked on a report"),
    "questionnaire.send": gettext_lazy("{who} sent you a questionnaire"),
    "questionnaire.submit": gettext_lazy("{who} filled in a questionnaire"),
    "questionnaire.save": gettext_lazy("{who} saved answers of a questionnaire"),
    "dossier.write": gettext_lazy("{who} opened your dossier to work in it"),
    "dossier.statement": gettext_lazy("{who} added a statement of your own to the dossier"),
    "entry.withdraw_statement": gettext_lazy("{who} withdrew a statement of your own from the dossier"),
    "communication.own": gettext_lazy("{who} looked at how the practice may contact you"),
    "messages.write": gettext_lazy("{who} wrote a secure message"),
    "measurements.list": gettext_lazy("{who} saw your name in the list of biofeedback clients"),
    "measurements.write": gettext_lazy("{who} recorded a biofeedback measurement"),
    "measurements.download": gettext_lazy("{who} downloaded a biofeedback measurement"),
    "questionnaires.send": gettext_lazy("{who} prepared a questionnaire for you"),
    "questionnaires.answer": gettext_lazy("{who} opened a questionnaire to fill in"),
    "referral.manage": gettext_lazy("{who} handled your referral to a biofeedback therapist"),
    "reports.review": gettext_lazy("{who} read a report about you before it was sent"),
    # LAW-15: what happened to a report is told as it happened, not as "worked on a report".
    "report.read": gettext_lazy("{who} read a report about you"),
    "report.review": gettext_lazy("{who} read a report about you before it was sent"),
    "report.download": gettext_lazy("{who} downloaded a report about you"),
    "report.client_notified": gettext_lazy("{who} sent you a report about you to read before it goes out"),
    "report.approve": gettext_lazy("{who} agreed that a report about you may be sent"),
    "report.sign": gettext_lazy("{who} signed a report about you"),
    "report.block": gettext_lazy("{who} blocked a report about you"),
    "report.object": gettext_lazy("{who} objected in writing to a report about you"),
    "report.send": gettext_lazy("{who} sent a report about you to the principal"),
    "report.delivery": gettext_lazy("{who} sent the recipient of a report about you a link to download it"),
    "complaint.lodge": gettext_lazy("{who} lodged a complaint"),
    "complaint.read": gettext_lazy("{who} read your complaint"),
    "complaint.letter_read": gettext_lazy("{who} read a letter about your complaint"),
    "complaint.document_read": gettext_lazy("{who} opened a document of your complaint"),
    "reports.status": gettext_lazy("{who} saw the state of reports about you (without their content)"),
    "reports.list": gettext_lazy("{who} saw your name in the overview of reports (without their content)"),
    "privacy.manage": gettext_lazy("{who} handled a privacy matter concerning your dossier"),
}

# Actions of later capabilities, by family, when no exact phrase exists.
PREFIX_PHRASES = {
    "complaint.": gettext_lazy("{who} handled a step of your complaint"),
    "questionnaire.": gettext_lazy("{who} worked with your questionnaires"),
    "measurement.": gettext_lazy("{who} recorded or viewed a biofeedback measurement"),
    "report.": gettext_lazy("{who} worked on a report about you"),
    "handover.": gettext_lazy("{who} prepared the hand-over of your dossier to UWV"),
    "data_breach.": gettext_lazy("{who} recorded that a data breach concerned your data"),
    "confidentiality_breach.": gettext_lazy("{who} recorded a breach of confidentiality concerning your data"),
    "supervision.": gettext_lazy("{who} prepared a pseudonymised case summary for supervision"),
    "research.": gettext_lazy("{who} prepared a pseudonymised research dataset"),
    "legal_hold.": gettext_lazy("{who} recorded a legal duty to keep your dossier"),
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
    if entry.role == "recipient":  # a report's recipient, who has no account
        return _("The recipient of the report")
    if entry.actor is None:
        return _("The system")
    if entry.actor_id == client_user_id:
        return _("You")
    if entry.role == Role.CLIENT:
        # GC-2.3, GC-5.1: another client who tried a link is not named, nor shown to be a client
        # by name; the practice's own log keeps who it was.
        return _("Someone with another client account")
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


def entries_for(client, *, others_only: bool = False):
    """The client's log, newest first, with each entry's person: every line the log keeps, in
    the order of `seq` (unique and never reused, so a page never repeats or skips a line).
    `others_only` leaves out what the client did herself."""
    entries = AccessLogEntry.objects.for_client(client.public_id).select_related("actor").order_by("-seq")
    if others_only and client.user_id:
        entries = entries.exclude(actor_id=client.user_id)
    return entries


def describer(client):
    """How one entry of the client's log is said to her: break-glass entries carry their
    reason (the client's break-glass reasons are read once, whatever the number of lines)."""
    reasons = {str(g.public_id): g.reason for g in BreakGlass.objects.filter(client=client)}
    return lambda entry: describe(entry, client_user_id=client.user_id, reasons=reasons)


def lines_for(client, *, others_only: bool = False) -> list[Line]:
    """The client's whole log, newest first, in plain language (her export)."""
    line = describer(client)
    return [line(e) for e in entries_for(client, others_only=others_only)]
