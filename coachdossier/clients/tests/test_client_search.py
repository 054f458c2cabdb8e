"""The coach finds a client by the reference the dashboard and the reports name her by, on the
page and in the API; a name still finds her by name."""

from django.urls import reverse

from coachdossier.api.tests.test_clients_api import ApiTestCase


class ClientSearchTestCase(ApiTestCase):
    def page(self, term):
        self.login(self.coach)
        r = self.client.get(reverse("clients:list"), {"q": term})
        return [client.reference for client in r.context["page"]]

    def api(self, term):
        return [row["reference"] for row in self.call(self.coach, "GET", f"/api/clients/?q={term}").json()["results"]]

    def test_the_reference_on_her_dashboard_finds_the_client_on_the_page_and_in_the_api(self):
        reference = self.own_client.reference  # "2026-0001"
        for search in (self.page, self.api):
            self.assertEqual(search(reference), [reference])
            self.assertEqual(search(reference.split("-")[1]), [reference])  # "0001"

    def test_a_reference_finds_only_clients_she_may_see(self):
        self.assertEqual(self.page(self.other_client.reference), [])
        self.assertEqual(self.api(self.other_client.reference), [])

    def test_the_search_field_says_it_takes_a_reference_too(self):
        self.login(self.coach)
        r = self.client.get(reverse("clients:list"), {"q": "9999-9999"})
        self.assertContains(r, "Search by name or reference")
        self.assertContains(r, "No client matches this name or reference.")

    def test_a_name_still_finds_her(self):
        self.assertEqual(self.page("carla"), [self.own_client.reference])
        self.assertEqual(self.api("vri"), [self.own_client.reference])
