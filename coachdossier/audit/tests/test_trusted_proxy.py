"""LAW-NEN7513 ("from where"): the access log records the client's real address. Behind the
reverse proxy that is what the proxy appended to X-Forwarded-For; a client cannot forge it
by sending the header itself, neither through the proxy nor around it."""

import ipaddress

from django.test import SimpleTestCase, override_settings

from coachdossier.audit.context import client_address
from coachdossier.audit.models import AccessLogEntry
from coachdossier.test import BaseTestCase

PROXY = (ipaddress.ip_network("127.0.0.1/32"),)
TWO_PROXIES = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/24"))


class ClientAddressTestCase(SimpleTestCase):
    def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("203.0.113.7", "198.51.100.1", ()), "203.0.113.7")

    def test_a_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("203.0.113.7", "198.51.100.1", PROXY), "203.0.113.7")

    def test_behind_the_proxy_the_client_is_the_address_the_proxy_appended(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("127.0.0.1", "203.0.113.7", PROXY), "203.0.113.7")

    def test_a_forged_address_left_of_the_proxys_own_entry_is_not_believed(self):
        """LAW-NEN7513: the client sent `X-Forwarded-For: 198.51.100.1`; nginx appended the real one."""
        self.assertEqual(client_address("127.0.0.1", "198.51.100.1, 203.0.113.7", PROXY), "203.0.113.7")

    def test_it_walks_past_every_trusted_hop_from_the_right(self):
        """LAW-NEN7513: load balancer 10.0.0.5 in front of nginx on 127.0.0.1."""
        self.assertEqual(client_address("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.5", TWO_PROXIES),
                         "203.0.113.7")

    def test_garbage_in_the_header_stops_the_walk_at_the_last_believable_hop(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("127.0.0.1", "203.0.113.7, not-an-address", PROXY), "127.0.0.1")

    def test_ipv6_proxies_and_clients_are_understood(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("::1", "2001:db8::7", (ipaddress.ip_network("::1/128"),)), "2001:db8::7")

    def test_a_proxy_without_a_header_is_itself_the_client(self):
        """LAW-NEN7513"""
        self.assertEqual(client_address("127.0.0.1", "", PROXY), "127.0.0.1")


class AccessLogAddressTestCase(BaseTestCase):
    def read_dossier(self, **headers):
        self.login(self.coach)
        before = AccessLogEntry.objects.count()
        r = self.client.get(f"/clients/{self.own_client.public_id}/", **headers)
        self.assertEqual(r.status_code, 200)
        entries = list(AccessLogEntry.objects.filter(seq__gt=before))
        self.assertEqual([e.action for e in entries], ["dossier.read"])
        return entries[0]

    def test_a_client_talking_to_the_app_directly_cannot_forge_its_address(self):
        """LAW-NEN7513: no trusted proxies configured (the default)."""
        entry = self.read_dossier(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
        self.assertEqual(entry.ip, "203.0.113.7")

    @override_settings(TRUSTED_PROXIES=PROXY)
    def test_behind_the_trusted_proxy_the_log_holds_the_address_the_proxy_saw(self):
        """LAW-NEN7513"""
        entry = self.read_dossier(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
        self.assertEqual(entry.ip, "203.0.113.7")

    @override_settings(TRUSTED_PROXIES=PROXY)
    def test_a_client_going_around_the_proxy_cannot_forge_its_address_either(self):
        """LAW-NEN7513"""
        entry = self.read_dossier(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1, 198.51.100.1")
        self.assertEqual(entry.ip, "203.0.113.9")


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXIES=PROXY)
class ForwardedSchemeTestCase(SimpleTestCase):
    def scheme_seen(self, **meta):
        from django.http import HttpResponse
        from django.test import RequestFactory

        from coachdossier.audit.middleware import TrustedProxyMiddleware

        seen = {}

        def view(request):
            seen["secure"] = request.is_secure()
            return HttpResponse()

        TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
        return seen["secure"]

    def test_the_trusted_proxy_may_say_the_request_came_over_https(self):
        """LAW-NEN7513"""
        self.assertTrue(self.scheme_seen(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https"))

    def test_anyone_else_saying_https_is_not_believed(self):
        """LAW-NEN7513"""
        self.assertFalse(self.scheme_seen(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https"))
