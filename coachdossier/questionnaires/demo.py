"""Demo: DASS-21 series (intake, during, end) with improving scores for the demo clients
with a portal account, one questionnaire half filled in, one waiting, and the fictional
work-ability questionnaire once."""

import datetime

from coachdossier.audit.context import Actor, acting

from . import actions
from .models import Moment, QuestionnaireDefinition

# Mean item answer (0-3) per moment: plausible recovery from moderate-severe to mild/normal.
LEVELS = {Moment.INTAKE: 1.9, Moment.DURING: 1.2, Moment.END: 0.6}


def _answers(definition, level, rng):
    answers = {}
    for item in definition.items:
        value = round(level + rng.uniform(-0.8, 0.8))
        answers[item.id] = min(3, max(0, value))
    return answers


def seed(ctx):
    now, rng = ctx.now, ctx.rng
    actions.ensure_shipped(now=now)
    dass = QuestionnaireDefinition.objects.get(key="dass-21", shipped=True)
    work = QuestionnaireDefinition.objects.get(key="demo-werkvermogen", shipped=True)
    portal_clients = [c for c in ctx.clients if c.user_id][:3]
    for n, client in enumerate(portal_clients):
        coach = client.current_trajectory.coach
        moments = [Moment.INTAKE, Moment.DURING, Moment.END] if n != 2 else [Moment.INTAKE, Moment.DURING]
        for step, moment in enumerate(moments):
            sent = now - datetime.timedelta(days=90 - 40 * step + n)
            with acting(Actor(user=coach, channel="command")):
                administration = actions.send_questionnaire(actor=coach, client=client, definition=dass,
                                                            moment=moment, now=sent)
            answers = _answers(dass.definition, LEVELS[moment] + 0.2 * n, rng)
            with acting(Actor(user=client.user, channel="command")):
                actions.save_answers(actor=client.user, administration=administration, answers=answers, submit=True,
                                     now=sent + datetime.timedelta(days=1 + step))
        if n == 2:  # the end questionnaire is half filled in
            with acting(Actor(user=coach, channel="command")):
                administration = actions.send_questionnaire(actor=coach, client=client, definition=dass,
                                                            moment=Moment.END, now=now - datetime.timedelta(days=2))
            half = dict(list(_answers(dass.definition, 0.8, rng).items())[:10])
            with acting(Actor(user=client.user, channel="command")):
                actions.save_answers(actor=client.user, administration=administration, answers=half, submit=False,
                                     now=now - datetime.timedelta(days=1))
        if n == 1:  # one waiting to be filled in
            with acting(Actor(user=coach, channel="command")):
                actions.send_questionnaire(actor=coach, client=client, definition=work, moment=Moment.DURING,
                                           now=now - datetime.timedelta(days=1))
