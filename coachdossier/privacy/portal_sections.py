"""In the client portal: breaches of confidentiality about the client (GC-6.5), except those
whose register entry says that telling the client would cause acute danger."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel


def sections(request, client, grant):
    items = list(client.confidentiality_breaches.filter(acute_danger=False))
    if not items:
        return []
    return [Panel(_("When your coach broke confidentiality"), "privacy/confidentiality_section.html",
                  {"items": items, "staff": False, "new_url": ""}, order=80)]
