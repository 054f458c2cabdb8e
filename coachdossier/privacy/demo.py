"""The demo practice's privacy state: every coach in the registry (one insurance about to
expire, so the reminder and the warning show), a legal hold, a verified log and a signed
checkpoint."""

import datetime

from django.utils import timezone

from . import actions, daily
from .models import RegistrationStatus

INSURERS = ["Nationale-Nederlanden", "Centraal Beheer", "a.s.r.", "Allianz"]


def seed(ctx):
    today = timezone.localdate(ctx.now)
    for i, coach in enumerate(ctx.coaches()):
        expiring_soon = i == len(ctx.coaches()) - 1
        expires = today + datetime.timedelta(days=20) if expiring_soon else today.replace(year=today.year + 1, month=1, day=31)
        profile = actions.save_coach_profile(
            actor=ctx.management, coach=coach, now=ctx.now, registration_status=RegistrationStatus.REGISTERED,
            registration_number=f"CSR-{2019 + i}-{100 + i * 7}", registered_on=datetime.date(2019 + i, 3, 1),
            insurer=INSURERS[i % len(INSURERS)], policy_number=f"BAV-{ctx.rng.randint(100000, 999999)}",
            insurance_expires_on=expires,
            qualifications="Erkend loopbaan- en re-integratiecoach (NOBCO EIA Practitioner)",
            methods="Oplossingsgericht coachen, ACT, motiverende gespreksvoering",
        )
        for year in (today.year - 1, today.year):
            actions.record_fee(actor=ctx.management, profile=profile, year=year, paid_on=datetime.date(year, 1, 15),
                               now=ctx.now)
    if ctx.clients:
        actions.place_legal_hold(actor=ctx.management, client=ctx.clients[-1], now=ctx.now,
                                 reason="Bodemprocedure arbeidsrecht bij de kantonrechter; dossier bewaren tot uitspraak.")
    _registers(ctx, today)
    daily.insurance_reminders(ctx.now, False)
    daily.access_log(ctx.now, False)


def _registers(ctx, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachdossier.clients.management.commands.demo import DEMO_PDF

    from .models import BreachDecision

    management = ctx.management
    for name, service, ref, where in (("Hosting Noord BV", "Hosting van de applicatie en back-ups", "VWO-2025-014",
                                       "Nederland (Groningen)"),
                                      ("Mailbezorging BV", "Verzending van e-mailnotificaties", "VWO-2025-022",
                                       "Nederland")):
        actions.add_processor(actor=management, name=name, service=service, agreement_reference=ref,
                              agreement_date=datetime.date(2025, 1, 10), location=where, now=ctx.now)
    actions.upload_dpia(actor=management, title="DPIA cliëntdossier en re-integratie", version="1.2",
                        approved_on=today - datetime.timedelta(days=60),
                        upload=SimpleUploadedFile("dpia-coachdossier.pdf", DEMO_PDF), now=ctx.now)
    recent = actions.record_data_breach(
        actor=management, discovered_at=ctx.now - datetime.timedelta(hours=30), title="E-mail naar verkeerde ontvanger",
        description="Een uitnodiging voor een gesprek is naar een verkeerd e-mailadres gestuurd.",
        data_affected="Naam en afspraakdatum", people_affected="1 cliënt", measures="Ontvanger gevraagd te verwijderen.",
        now=ctx.now)
    if ctx.clients:
        actions.add_breach_client(actor=management, breach=recent, client=ctx.clients[0], notified_on=today,
                                  now=ctx.now)
    old = actions.record_data_breach(
        actor=management, discovered_at=ctx.now - datetime.timedelta(days=90), title="Laptop gestolen",
        description="Laptop van een coach gestolen uit de auto.", data_affected="Geen: schijf versleuteld",
        people_affected="Geen", measures="Account geblokkeerd, sessies beëindigd.", now=ctx.now)
    actions.decide_data_breach(actor=management, breach=old, decision=BreachDecision.NOT_REQUIRED,
                               reason="Versleutelde schijf en MFA: geen risico voor betrokkenen.", now=ctx.now)
    actions.close_data_breach(actor=management, breach=old, now=ctx.now)
    if len(ctx.clients) > 1:
        client = ctx.clients[1]
        coach = client.current_trajectory.coach if client.current_trajectory else ctx.coaches()[0]
        actions.record_confidentiality_breach(
            actor=coach, client=client, occurred_on=today - datetime.timedelta(days=14), legal_ground="danger",
            reason="Cliënt uitte concrete dreiging tegen zichzelf.", recipient="Huisarts van cliënt",
            shared="Zorgen over acute veiligheid, geen verdere inhoud.", client_informed=True,
            informed_on=today - datetime.timedelta(days=13), now=ctx.now)
