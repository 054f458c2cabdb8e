"""GC-6.3: every message goes to one address now (lib.emails). A message queued before, to
several addresses on one To: line, becomes one queued message per address, so that a retry
after the upgrade does not show the recipients each other's addresses."""

from django.db import migrations


def split_queued(apps, schema_editor):
    OutgoingMail = apps.get_model("accounts", "OutgoingMail")
    for mail in OutgoingMail.objects.filter(status="queued"):
        if len(mail.to) < 2:
            continue
        first, *others = mail.to
        for address in others:
            OutgoingMail.objects.create(
                name=mail.name, to=[address], from_email=mail.from_email, subject=mail.subject, body=mail.body,
                html=mail.html, status=mail.status, attempts=mail.attempts, created_at=mail.created_at,
                next_attempt_at=mail.next_attempt_at, last_error=mail.last_error, client_ref=mail.client_ref)
        mail.to = [first]
        mail.save(update_fields=["to"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_outgoing_mail_client_ref"),
    ]

    operations = [
        migrations.RunPython(split_queued, migrations.RunPython.noop),
    ]
