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
    daily.insurance_reminders(ctx.now, False)
    daily.access_log(ctx.now, False)
