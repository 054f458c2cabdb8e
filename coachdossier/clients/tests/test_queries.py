"""No N+1 by construction: the client list and the dossier page cost the same number of
queries at 5 and at 50 clients or entries (CaptureQueriesContext), and django-zeal raises
on an N+1 inside them."""

import sys
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from zeal import zeal_context

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import EntryKind
from coachdossier.test import BaseTestCase, make_client


class QueryCountTestCase(BaseTestCase):
    def add_clients(self, n):
        for i in range(n):
            make_client(actor=self.management, coach=self.coach, principal=self.employer, first=f"Klant{i}",
                        last="Test")

    def add_entries(self, n):
        for i in range(n):
            entry = actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                      occurred_on=self.now.date(), title=f"Gesprek {i}", text="Goed gesprek.",
                                      now=self.now)
            if i % 2:
                actions.edit_entry(actor=self.coach, entry=entry, title=f"Gesprek {i}", text="Beter gesprek.",
                                   reason="Aangevuld", now=self.now)

    def count(self, url):
        self.client.get(url)  # the first request of a session also passes the staff gate once
        KeyRing.clear()
        with zeal_context(), CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_client_list_costs_the_same_at_5_and_50_clients(self):
        self.login(self.coach)
        self.add_clients(4)
        small = self.count("/clients/")
        self.add_clients(45)
        self.assertEqual(self.count("/clients/"), small)
        self.assertEqual(self.count("/clients/?q=klant"), self.count("/clients/?q=klant1"))

    def test_the_management_list_costs_the_same_at_5_and_50_clients(self):
        self.login(self.management)
        self.add_clients(3)
        small = self.count("/clients/manage/")
        self.add_clients(45)
        self.assertEqual(self.count("/clients/manage/"), small)

    def test_the_dossier_page_costs_the_same_at_5_and_50_entries(self):
        self.login(self.coach)
        self.add_entries(5)
        url = f"/clients/{self.own_client.public_id}/"
        small = self.count(url)
        self.add_entries(45)
        self.assertEqual(self.count(url), small)

    def test_the_api_list_and_dossier_cost_the_same_at_5_and_50(self):
        self.login(self.coach)
        self.add_clients(4)
        self.add_entries(5)
        url = f"/api/clients/{self.own_client.public_id}"
        small_list, small_detail = self.count("/api/clients/"), self.count(url)
        self.add_clients(45)
        self.add_entries(45)
        self.assertEqual(self.count("/api/clients/"), small_list)
        self.assertEqual(self.count(url), small_detail)

    def test_the_api_entries_cost_the_same_at_5_and_60_entries_on_every_page(self):
        """A dossier past one page (50) costs the API what a small one does, page after page."""
        self.login(self.coach)
        self.add_entries(5)
        detail = f"/api/clients/{self.own_client.public_id}"
        entries = f"{detail}/entries"
        small_detail, small_page = self.count(detail), self.count(entries)
        self.add_entries(55)
        self.assertEqual(self.count(detail), small_detail)
        self.assertEqual(self.count(entries), small_page)
        self.assertEqual(self.count(f"{entries}?page=2"), small_page)
        self.assertEqual(self.count(f"{entries}?page=2&medical=true"), small_page)

    def test_zeal_is_active_and_would_catch_an_n_plus_one(self):
        from zeal.errors import NPlusOneError

        from coachdossier.clients.models import Client

        with self.assertRaises(NPlusOneError), zeal_context():
            for client in Client.objects.all():
                list(client.trajectories.all())


class BenchTemplatesSwitchTestCase(BaseTestCase):
    """`coachdossier bench` measures the pages once more with templates off, to show what they
    cost before rendering (docs/performance.md). That figure means something only if the page
    runs the same queries without its template, and if rendering comes back afterwards."""

    def queries_and_body(self, url):
        self.client.get(url)
        KeyRing.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), response.content

    def test_without_templates_the_pages_run_the_same_queries_and_render_nothing(self):
        from coachdossier.bench import templates

        self.login(self.coach)
        for url in ("/clients/", f"/clients/{self.own_client.public_id}/"):
            with self.subTest(url):
                rendered, body = self.queries_and_body(url)
                with templates(False):
                    not_rendered, empty = self.queries_and_body(url)
                self.assertEqual(not_rendered, rendered)
                self.assertEqual(empty, b"")
                self.assertIn(b"<html", self.queries_and_body(url)[1])

    def test_a_bench_server_keeps_its_switches_for_its_whole_life(self):
        """The gunicorn variants turn their switch on once, from the environment; a switch that
        was garbage-collected would quietly measure the real page under the wrong name."""
        import gc
        import os
        from unittest import mock

        from django.template.backends.django import Template

        from coachdossier import bench
        from coachdossier.audit import log

        real_render, real_record = Template.render, log.record_many
        with mock.patch.dict(os.environ, {"BENCH_TEMPLATES": "off", "BENCH_ACCESS_LOG": "off"}):
            bench.apply_switches()
        try:
            gc.collect()
            self.assertIsNot(Template.render, real_render)
            self.assertIsNot(log.record_many, real_record)
        finally:
            bench.reset_switches()
        self.assertIs(Template.render, real_render)
        self.assertIs(log.record_many, real_record)


class BenchAccessViewTestCase(BaseTestCase):
    """`coachdossier bench` prints what the access check and its log entry cost alone, the
    least any dossier page costs. The figure means something only if the bench view does what
    the dossier page does before reading the dossier: the same check, refusals and log entry."""

    def setUp(self):
        super().setUp()
        import types

        from coachdossier import bench

        module = types.ModuleType("coachdossier_bench_urls_test")
        module.urlpatterns = bench._urlpatterns()
        patcher = mock.patch.dict(sys.modules, {"coachdossier_bench_urls_test": module})
        patcher.start()
        self.addCleanup(patcher.stop)
        urls = override_settings(ROOT_URLCONF="coachdossier_bench_urls_test")
        urls.enable()
        self.addCleanup(urls.disable)
        self.url = bench.access_url(f"/clients/{self.own_client.public_id}/")

    def test_law_nen7513_the_bench_access_view_logs_the_read_as_the_dossier_page_does(self):
        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/")
        page = AccessLogEntry.objects.order_by("-seq").values_list("action", "client_ref", "basis").first()
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(AccessLogEntry.objects.order_by("-seq").values_list("action", "client_ref", "basis").first(),
                         page)

    def test_the_bench_access_view_refuses_a_stranger_with_404(self):
        self.login(self.other_coach)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_law_nen7513_the_bench_lower_bound_page_logs_the_read_as_the_dossier_page_does(self):
        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/")
        page = AccessLogEntry.objects.order_by("-seq").values_list("action", "client_ref", "basis").first()
        floor = self.url.replace("/bench/access/", "/bench/floor/")
        self.assertEqual(self.client.get(floor).status_code, 200)
        self.assertEqual(AccessLogEntry.objects.order_by("-seq").values_list("action", "client_ref", "basis").first(),
                         page)

    def test_the_bench_lower_bound_page_shows_the_entries_and_refuses_a_stranger_with_404(self):
        actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                          occurred_on=self.now.date(), title="Kennismaking",
                          text="Eerste gesprek <b>goed</b> verlopen.", now=self.now)
        floor = self.url.replace("/bench/access/", "/bench/floor/")
        self.login(self.coach)
        body = self.client.get(floor).content.decode()
        self.assertIn("Kennismaking", body)
        self.assertIn("Eerste gesprek &lt;b&gt;goed&lt;/b&gt; verlopen.", body)
        self.login(self.other_coach)
        self.assertEqual(self.client.get(floor).status_code, 404)
