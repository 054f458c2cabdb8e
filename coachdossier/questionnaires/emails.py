"""Questionnaire emails: a notice and a link, never the questionnaire or its results (GC-6.3)."""

from django.urls import reverse

from coachdossier.accounts.outbox import send_or_queue as send  # notices: a mail server that is down queues them


def questionnaire_sent(*, administration_id: int) -> None:
    from .models import Administration

    administration = Administration.objects.select_related("client__user").get(pk=administration_id)
    user = administration.client.user
    if user is None or not user.email:
        return
    send("questionnaire-sent", [user.email],
         {"url": reverse("questionnaires:fill", args=[administration.public_id])},
         client_ref=administration.client.public_id)
