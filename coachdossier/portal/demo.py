"""Demo data for the client portal: the three demo client accounts (client1..3) get open and
handled requests, messages, a client statement and a communication agreement; another
client has a pending invitation. See clients/management/commands/demo.py."""

import datetime

from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import Basis
from coachdossier.clients import access
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import EntryKind

from . import actions
from .models import EmailContent, RequestChannel, RequestKind

CLIENT = access.Grant(Basis.CLIENT)
COACH = access.Grant(Basis.COACH)
MANAGEMENT = access.Grant(Basis.MANAGEMENT)


def _fact(client, coach, now):
    return client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT,
                                    occurred_on=(now - datetime.timedelta(days=20)).date(), title="Werkuren",
                                    text="Werkt 32 uur per week bij de huidige werkgever.",
                                    now=now - datetime.timedelta(days=20))


def _coaches(ctx):
    return ctx.coaches() if hasattr(ctx, "coaches") else []


def seed(ctx):
    now, management = ctx.now, ctx.management
    with_accounts = [c for c in ctx.clients if c.user_id][:3]
    if len(with_accounts) < 3:
        return
    first, second, third = with_accounts
    days = lambda n: now - datetime.timedelta(days=n)  # noqa: E731

    # client1: a conversation, an open correction request, a statement and a released copy.
    coach = first.current_trajectory.coach
    fact = _fact(first, coach, now)
    with acting(Actor(user=first.user, channel="web")):
        actions.send_message(actor=first.user, client=first, text="Ik zie in mijn dossier dat ik 32 uur werk, "
                             "maar dat is sinds oktober 24 uur. Kunt u dat aanpassen?", now=days(3), grant=CLIENT,
                             about=fact)
        actions.file_request(actor=first.user, client=first, kind=RequestKind.CORRECTION, now=days(3), grant=CLIENT,
                             entry=fact, proposed="Werkt 24 uur per week bij de huidige werkgever.",
                             reason="Sinds oktober werk ik minder uren.")
        actions.add_statement(actor=first.user, client=first, title="Mijn kijk op de begeleiding",
                              text="Ik voel me gehoord. Het tempo van de opbouw mag wat rustiger.", now=days(2),
                              grant=CLIENT)
        actions.file_request(actor=first.user, client=first, kind=RequestKind.COPY, now=days(1), grant=CLIENT)
    substitute = next((c for c in _coaches(ctx) if c != coach), None)
    with acting(Actor(user=coach, channel="web")):
        if substitute is not None and not first.trajectories.filter(coach=substitute).exists():
            actions.propose_substitute(actor=coach, client=first, substitute=substitute, valid_from=now.date(),
                                       valid_until=(now + datetime.timedelta(days=21)).date(), now=now, grant=COACH)
        actions.send_message(actor=coach, client=first, text="Dank voor uw bericht. Ik kijk ernaar en laat het "
                             "binnen een week weten.", now=days(2), grant=COACH)

    # client2: an open destruction request (management's 4-week clock) and a refused correction.
    coach = second.current_trajectory.coach
    fact = _fact(second, coach, now)
    with acting(Actor(user=second.user, channel="web")):
        refused = actions.file_request(actor=second.user, client=second, kind=RequestKind.CORRECTION, now=days(30),
                                       grant=CLIENT, entry=fact, proposed="Werkt 40 uur per week.",
                                       reason="Ik werk fulltime.")
        actions.file_request(actor=second.user, client=second, kind=RequestKind.DESTRUCTION, now=days(10),
                             grant=CLIENT)
    with acting(Actor(user=coach, channel="web")):
        actions.decide_correction(actor=coach, request=refused, now=days(25), grant=COACH, accept=False,
                                  reason="Volgens de loonstrook van september werkt u 32 uur; stuurt u gerust een "
                                         "nieuwe loonstrook mee, dan pas ik het aan.")

    # client3: a copy request that waits for the coach's review (an entry names others), a
    # letter registered by staff, and a communication agreement.
    coach = third.current_trajectory.coach
    with acting(Actor(user=coach, channel="web")):
        note = client_actions.add_entry(actor=coach, client=third, kind=EntryKind.NOTE,
                                        occurred_on=days(12).date(), title="Gesprek met leidinggevende",
                                        text="Leidinggevende Jan de Wit gaf aan dat het team de terugkeer steunt.",
                                        now=days(12))
        note.names_others = True
        note.save(update_fields=["names_others"])
    with acting(Actor(user=third.user, channel="web")):
        actions.set_communication_agreement(actor=third.user, client=third, by_email=True, by_phone=True,
                                            by_letter=False, email_content=EmailContent.NOTICE_ONLY, now=days(40),
                                            grant=CLIENT)
        actions.file_request(actor=third.user, client=third, kind=RequestKind.COPY, now=days(5), grant=CLIENT)
    with acting(Actor(user=management, channel="web")):
        actions.file_request(actor=management, client=third, kind=RequestKind.CORRECTION, now=days(4),
                             grant=MANAGEMENT, channel=RequestChannel.LETTER, received_on=days(6).date(),
                             field="phone", proposed="06 12345678", reason="Nieuw telefoonnummer.",
                             identity_check="Handtekening vergeleken met de coachingsovereenkomst; "
                                            "telefonisch bevestigd.")

    # Another client: invited, not yet accepted.
    invitee = next((c for c in ctx.clients if not c.user_id and c.personal.email), None)
    if invitee is not None:
        coach = invitee.current_trajectory.coach
        with acting(Actor(user=coach, channel="web")):
            actions.invite_client(actor=coach, client=invitee, now=days(1), grant=COACH)
