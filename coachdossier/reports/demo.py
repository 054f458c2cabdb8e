"""Demo reports in every state: draft, client copy sent, approved, signed, blocked, objected,
sent and downloaded. The first three demo clients (UWV, statutory right) have portal
accounts; a municipality client gets one here so a block can be shown (GC-6.1)."""

import datetime

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts.demo_accounts import PASSWORD
from coachdossier.accounts.models import Role
from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import Basis
from coachdossier.clients.access import Grant

from . import actions

SECTIONS = {
    "plan": [("Aanleiding", "Cliënt is sinds vier maanden uitgevallen en wil in eigen tempo terug naar werk."),
             ("Aanpak", "Wekelijkse gesprekken, een dagritme opbouwen en stap voor stap taken hervatten.")],
    "progress": [("Verloop", "Cliënt komt trouw naar de gesprekken en houdt een logboek bij."),
                 ("Mogelijkheden en beperkingen", "Twee ochtenden per week een vaste taak lukt; lange dagen "
                                                  "nog niet.")],
    "final": [("Resultaat", "Cliënt werkt weer 24 uur per week in de eigen functie."),
              ("Advies", "Over drie maanden uitbreiden naar de oorspronkelijke 32 uur.")],
}
CLIENT = Grant(Basis.CLIENT)


def _report(ctx, client, kind, now, **kwargs):
    coach = client.current_trajectory.coach
    with acting(Actor(user=coach, channel="command")):
        report = actions.create_report(actor=coach, client=client, kind=kind, addressee="principal", now=now,
                                       **kwargs)
        actions.edit_report(actor=coach, report=report, now=now, subject=report.content["subject"],
                            salutation=report.content["salutation"], include_trajectory=True,
                            sections=[{"title": t, "text": x} for t, x in SECTIONS[kind]])
    return report, coach


def _to_client(report, coach, now):
    with acting(Actor(user=coach, channel="command")):
        actions.mark_ready(actor=coach, report=report, now=now)
        actions.deliver_client_notice(report_id=report.pk, now=now)
    report.refresh_from_db()
    return report


def seed(ctx):
    now = ctx.now
    earlier = now - datetime.timedelta(days=14)
    uwv1, uwv2, uwv3 = ctx.clients[:3]
    municipal = ctx.clients[3]
    if municipal.user_id is None:
        user = account_actions.create_user(actor=None, email="client4@demo.coachdossier.nl",
                                           full_name=municipal.display_name, roles=[Role.CLIENT],
                                           password=PASSWORD, is_demo=True)
        municipal.user = user
        municipal.save(update_fields=["user"])

    # Draft
    _report(ctx, uwv1, "plan", now)
    # Client copy sent, waiting for the client's answer
    report, coach = _report(ctx, uwv2, "progress", now)
    _to_client(report, coach, now)
    # Approved (may be sent now)
    report, coach = _report(ctx, uwv3, "progress", earlier)
    report = _to_client(report, coach, earlier)
    with acting(Actor(user=uwv3.user, channel="command")):
        actions.approve_report(actor=uwv3.user, report=report, now=earlier, grant=CLIENT)
    # Signed (signature required)
    report, coach = _report(ctx, uwv1, "progress", earlier, signature_required=True)
    report = _to_client(report, coach, earlier)
    with acting(Actor(user=uwv1.user, channel="command")):
        actions.sign_report(actor=uwv1.user, report=report, document_sha256=report.pdf_sha256, now=earlier,
                            grant=CLIENT)
    # Objected (UWV may demand the report; the objection goes with it)
    report, coach = _report(ctx, uwv2, "final", earlier)
    report = _to_client(report, coach, earlier)
    with acting(Actor(user=uwv2.user, channel="command")):
        actions.object_to_report(actor=uwv2.user, report=report, now=earlier, grant=CLIENT,
                                 text="Ik herken mij niet in de conclusie over mijn belastbaarheid. Lange dagen "
                                      "lukken wel als ik pauzes kan nemen.")
    # Blocked (a municipality has no statutory right to reports)
    report, coach = _report(ctx, municipal, "progress", earlier)
    report = _to_client(report, coach, earlier)
    with acting(Actor(user=municipal.user, channel="command")):
        actions.block_report(actor=municipal.user, report=report, now=earlier, grant=CLIENT)
    # Sent (approved, link waiting) and sent and downloaded (signed)
    report, coach = _report(ctx, uwv3, "plan", earlier - datetime.timedelta(days=14))
    report = _to_client(report, coach, earlier - datetime.timedelta(days=14))
    with acting(Actor(user=uwv3.user, channel="command")):
        actions.approve_report(actor=uwv3.user, report=report, now=earlier, grant=CLIENT)
    with acting(Actor(user=coach, channel="command")):
        actions.send_report(actor=coach, report=report, code_channel="email", now=now - datetime.timedelta(days=1))
    report, coach = _report(ctx, uwv1, "plan", earlier - datetime.timedelta(days=14), signature_required=True)
    report = _to_client(report, coach, earlier - datetime.timedelta(days=14))
    with acting(Actor(user=uwv1.user, channel="command")):
        actions.sign_report(actor=uwv1.user, report=report, document_sha256=report.pdf_sha256, now=earlier,
                            grant=CLIENT)
    with acting(Actor(user=coach, channel="command")):
        sent = actions.send_report(actor=coach, report=report, code_channel="phone", now=earlier)
    with acting(Actor(user=None, channel="web")):
        actions.download(delivery=sent.delivery, token=sent.token, code=sent.code,
                         now=earlier + datetime.timedelta(hours=3))
