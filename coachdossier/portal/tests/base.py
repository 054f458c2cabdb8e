"""Helpers for the portal tests: the client persona's grant and a fresh identity check."""

import time

from coachdossier.audit.models import Basis
from coachdossier.clients import access
from coachdossier.test import BaseTestCase

CLIENT_GRANT = access.Grant(Basis.CLIENT)
COACH_GRANT = access.Grant(Basis.COACH)
MANAGEMENT_GRANT = access.Grant(Basis.MANAGEMENT)


class PortalTestCase(BaseTestCase):
    def reauthenticated(self, user, seconds_ago=0):
        """Signed in with a re-authentication just now (or `seconds_ago`), as allauth records it
        in the session."""
        self.login(user)
        session = self.client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [{"method": "password", "at": time.time() - seconds_ago,
                                                      "reauthenticated": True}]
        session.save()
