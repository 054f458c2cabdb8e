"""Demo complaints in every stage: just in, late to register, being handled, extended, late
acknowledgement, aftercare with failed calls (standard letter proposed), a mediation referral,
an umbrella ruling awaiting communication and one closed with its ruling, closed ones with each
outcome, UWV clients' complaints for the quarterly report, a complaint from someone who is no
client, and a complaint about coach Sanne, who is also a complaints officer: Henk handles it,
and Sanne does not see it nor the complaints of her own clients (KR-3.3b)."""

import datetime

from django.utils import timezone

from coachdossier.audit.context import Actor, acting

from . import actions
from .models import ClosureDay


def seed(ctx):
    now, users = ctx.now, ctx.users
    officer, management = users["klachten"], ctx.management
    coaches = ctx.coaches()
    clients = ctx.clients

    def ago(days):
        return now - datetime.timedelta(days=days)

    def committee_for(complaint):
        # The same test the case page applies (KR-3.3b): not the client's own or substitute
        # coach, not the coach complained about.
        return [c for c in coaches if actions.committee_refusal(complaint, c) is None][:2]

    def lodge(i, days, **kwargs):
        client = clients[i]
        trajectory = client.current_trajectory
        defaults = dict(channel="letter", subject="service", category="planning",
                        description="Afspraken werden meermaals op het laatste moment verzet.")
        defaults.update(kwargs)
        if defaults["subject"] == "coach":
            defaults.setdefault("coach", trajectory.coach)
        actor = officer
        if defaults["channel"] == "portal":
            actor = client.user
        with acting(Actor(user=actor, channel="command")):
            return actions.lodge_complaint(actor=actor, now=ago(days), received_on=timezone.localdate(ago(days)), client=client,
                                           **defaults)

    def handle(c, days, *, ack=True, admit=True, committee=True):
        actions.register_complaint(actor=officer, complaint=c, now=ago(days))
        if ack:
            actions.acknowledge(actor=officer, complaint=c, now=ago(days))
        if admit is not None:
            actions.decide_admission(actor=officer, complaint=c, now=ago(days), admitted=admit,
                                     reason="" if admit else "De klacht gaat over de uitkering van UWV, niet over "
                                     "onze dienstverlening. Wij verwijzen u naar UWV.")
        if admit and committee:
            actions.appoint_committee(actor=officer, complaint=c, coaches=committee_for(c),
                                      now=ago(days))
        return c

    for offset, text in ((0, "Kerstavond"), (7, "Oudejaarsdag")):
        day = datetime.date(now.year, 12, 24 + offset)
        ClosureDay.objects.get_or_create(date=day, defaults={"description": text})

    # 1. Just lodged in the portal, not yet registered.
    lodge(0, 1, channel="portal", subject="coach", category="communication",
          description="Mijn coach reageert al twee weken niet op mijn berichten.")
    # 2. A letter received 10 days ago, still not in the register: KR-3.2 late.
    lodge(3, 10, category="reporting", description="Het verslag aan de gemeente klopt op twee punten niet.")
    # 3. Being handled by the committee; settlement term running.
    handle(lodge(4, 12, channel="email", subject="coach", category="quality",
                 description="De oefeningen sluiten niet aan bij mijn situatie."), 11)
    # 4. A phone complaint with the standard form, registered late and never acknowledged: late clocks.
    c = lodge(5, 30, channel="phone", phone_offer_made=True, category="planning",
              phone_form={"called_at": ago(30).strftime("%d-%m-%Y %H:%M"), "summary": "Wachttijd voor een afspraak",
                          "wish": "Binnen een week een afspraak", "agreed": "Klacht geregistreerd"})
    handle(c, 22, ack=False, admit=None)
    # 5. UWV client: extended before the six weeks ran out, told by phone.
    c = handle(lodge(1, 40, channel="portal", subject="coach", category="communication",
                     description="Ik voel me niet serieus genomen in de gesprekken."), 39)
    actions.extend_term(actor=officer, complaint=c, now=ago(3), new_date=(ago(3) + datetime.timedelta(days=21)).date(),
                        told_via="phone", text="Klager gebeld: commissie wil beide partijen horen.")
    actions.add_note(actor=officer, complaint=c, now=ago(2), note="Commissie spreekt klager volgende week.")
    # 6. Settled; three calls without answer: the standard letter is proposed.
    c = handle(lodge(6, 45, category="costs", description="Ik kreeg een factuur voor een afgezegde afspraak."), 44)
    actions.settle(actor=officer, complaint=c, now=ago(8), text="De factuur is gecrediteerd. Excuses voor het "
                   "ongemak.", measures="Afzeggingen worden voortaan automatisch verwerkt in de planning.")
    for days in (6, 5, 4):
        actions.log_call(actor=management, complaint=c, now=ago(days), reached=False, note="Geen gehoor.")
    # 7. Not satisfied after the answer: referred to a mediator.
    c = handle(lodge(7, 60, subject="coach", category="quality", description="Mijn coach drong aan op een "
                     "functie die ik niet wil."), 58)
    actions.settle(actor=officer, complaint=c, now=ago(25), text="De commissie acht de klacht ongegrond.")
    actions.log_call(actor=management, complaint=c, now=ago(23), reached=True, satisfied=False,
                     note="Klager is het niet eens met de uitkomst.")
    actions.refer_to_mediation(actor=management, complaint=c, now=ago(20),
                               text="Wij hebben mr. B. de Bemiddelaar (erkend mediator) gevraagd contact met u op te "
                               "nemen.")
    # 8. UWV client: closed, settled to satisfaction within the terms.
    c = handle(lodge(2, 80, channel="portal", category="planning",
                     description="De locatie van de gesprekken is slecht bereikbaar."), 78)
    actions.settle(actor=officer, complaint=c, now=ago(55), text="Gesprekken kunnen voortaan ook online.",
                   measures="Online gesprekken als standaardoptie aangeboden.")
    actions.log_call(actor=management, complaint=c, now=ago(53), reached=True, satisfied=True,
                     note="Tevreden met de online gesprekken.")
    actions.close_complaint(actor=officer, complaint=c, now=ago(53), outcome="satisfied")
    # 9. UWV client: not admitted, told in time, closed.
    c = handle(lodge(11, 70, category="other", description="Ik ben het niet eens met mijn uitkering."), 69,
               admit=False)
    actions.close_complaint(actor=officer, complaint=c, now=ago(60), outcome="not_admitted")
    # 10. UWV client: settled late (after the six weeks), not reached, closed as assumed satisfied.
    c = handle(lodge(0, 100, channel="email", category="reporting", description="Mijn rapportage aan UWV is "
                     "verstuurd voordat ik die had gezien."), 99)
    actions.settle(actor=officer, complaint=c, now=ago(50), text="U had de rapportage eerst moeten zien. "
                   "De werkwijze is aangepast.", measures="Rapportages gaan pas na akkoord van de cliënt weg.")
    for days in (49, 48, 47):
        actions.log_call(actor=management, complaint=c, now=ago(days), reached=False)
    actions.send_not_reached_letter(actor=management, complaint=c, now=ago(46))
    actions.close_complaint(actor=officer, complaint=c, now=ago(40), outcome="assumed_satisfied")
    # 11. Umbrella level (GC-0.2/GC-8): the committee ruled; telling both parties is due.
    c = handle(lodge(9, 50, subject="coach", level="umbrella", category="privacy",
                     description="Mijn coach heeft zonder toestemming met mijn werkgever over mij gesproken."), 49,
               committee=False)
    actions.record_ruling(actor=management, complaint=c, now=ago(10), ruling="partly", ruling_on=ago(12).date(),
                          measures="Coach volgt een bijscholing over geheimhouding.")
    # 11b. Umbrella level, done: the ruling went to both parties and closes the case (GC-8.2).
    c = handle(lodge(5, 75, subject="coach", level="umbrella", category="quality",
                     description="Mijn coach paste de CSR-methode niet toe zoals afgesproken."), 74, committee=False)
    actions.record_ruling(actor=management, complaint=c, now=ago(30), ruling="unfounded", ruling_on=ago(33).date())
    actions.communicate_ruling(actor=management, complaint=c, now=ago(28))
    actions.close_complaint(actor=officer, complaint=c, now=ago(27), outcome="ruling")
    # 12. Someone who is no client (a partner), about the service.
    with acting(Actor(user=officer, channel="command")):
        c = actions.lodge_complaint(actor=officer, now=ago(6), received_on=timezone.localdate(ago(6)), channel="email",
                                    subject="service", category="communication", name="M. Jansen",
                                    address_lines=["M. Jansen", "Dorpsstraat 4", "3731 AB De Bilt"],
                                    email="m.jansen@example.org",
                                    description="Ik werd aan de telefoon onvriendelijk te woord gestaan.")
        actions.register_complaint(actor=officer, complaint=c, now=ago(5))
    # 13. About coach Sanne, by her own client. Sanne is a complaints officer too, but not for this
    # case (KR-3.3b): Henk registers it and appoints a committee without her; she does not see it.
    c = lodge(10, 9, channel="email", subject="coach", category="communication",
              description="Mijn coach vertelde in de groepsbijeenkomst over mijn situatie.")
    handle(c, 8)
    # KR-3.1: two freelance coaches were sent the procedure; the others are listed.
    for coach in coaches[:2]:
        actions.send_procedure_to_coach(actor=management, coach=coach, now=ago(30))
