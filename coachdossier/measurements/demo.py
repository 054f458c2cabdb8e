"""Demo: measurement series for the referred client (rest measurements improving over three
months, with RR-interval files and a device report), and a second referral with one session."""

import datetime

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.audit.context import Actor, acting
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import Referral

from . import actions


def _rr_file(n_beats, mean_rr, swing, seed):
    rng = np.random.default_rng(seed)
    t, lines = 0.0, ["# RR intervals (ms), demo recording"]
    for _ in range(n_beats):
        rr = mean_rr + swing * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0, swing / 3)
        lines.append(f"{rr:.0f}")
        t += rr / 1000
    return "\n".join(lines).encode()


def seed(ctx):
    from coachdossier.clients.management.commands.demo import DEMO_PDF

    therapist, now = ctx.users["therapeut"], ctx.now
    first = ctx.clients[0]
    # (days ago, mean RR ms, HRV swing ms, breathing /min, skin conductance µS, conclusion)
    series = [
        (84, 760, 18, 16.5, 9.8, "Hoge rusthartslag en lage HRV; ademhaling snel en hoog. Start met ademtraining."),
        (56, 800, 26, 13.0, 7.9, "HRV neemt toe tijdens geleide ademhaling op 6/min."),
        (28, 830, 34, 10.5, 6.1, "Herstel na de stresstaak sneller dan bij de eerste meting."),
        (7, 860, 40, 8.0, 4.9, "Rustmeting duidelijk ontspannener; oefeningen zelfstandig voortzetten."),
    ]
    with acting(Actor(user=therapist, channel="command")):
        for n, (days, mean_rr, swing, breathing, sc, conclusion) in enumerate(series):
            day = now - datetime.timedelta(days=days)
            rr = SimpleUploadedFile(f"rust-{n + 1}.txt", _rr_file(420, mean_rr, swing, seed=n))
            report = SimpleUploadedFile(f"apparaatrapport-{n + 1}.pdf", DEMO_PDF) if n % 2 == 0 else None
            actions.record_session(actor=therapist, client=first, measured_on=day.date(),
                                   protocol="rest" if n % 2 == 0 else "paced_breathing",
                                   values={"breathing_rate_per_min": breathing, "skin_conductance_us": sc},
                                   conclusions=conclusion, report=report, rr_file=rr, now=day)
    # A second referral, made by that client's coach, with one intake measurement.
    second = ctx.clients[3]
    coach = second.current_trajectory.coach
    if not Referral.objects.active().filter(client=second, therapist=therapist).exists():
        with acting(Actor(user=coach, channel="command")):
            client_actions.refer_to_therapist(actor=coach, client=second, therapist=therapist,
                                              now=now - datetime.timedelta(days=10))
    with acting(Actor(user=therapist, channel="command")):
        day = now - datetime.timedelta(days=3)
        actions.record_session(actor=therapist, client=second, measured_on=day.date(), protocol="stress_recovery",
                               values={"heart_rate_bpm": 82, "rmssd_ms": 24.5, "breathing_rate_per_min": 15,
                                       "skin_conductance_us": 8.2},
                               conclusions="Eerste meting: verhoogde arousal, trage terugkeer naar rust.", now=day)
