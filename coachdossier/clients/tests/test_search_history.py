"""A client's name typed into a search box stays out of the address bar and the browser's
history (GC-2.3): on a shared practice computer, history would list every client looked up,
one entry per keystroke while the list filters itself."""

import re

from django.urls import reverse

from coachdossier.test import BaseTestCase


class SearchHistoryTestCase(BaseTestCase):
    def search_form(self, user, route):
        self.login(user)
        body = self.client.get(reverse(route)).content.decode()
        forms = re.findall(r'<form[^>]*role="search"[^>]*>', body)
        self.assertEqual(len(forms), 1, body)
        return forms[0]

    def test_gc_2_3_the_coachs_search_filters_in_place_without_pushing_the_name_into_the_url(self):
        form = self.search_form(self.coach, "clients:list")
        self.assertIn("hx-get=", form)
        self.assertNotIn("hx-push-url", form)
        self.assertNotIn("hx-replace-url", form)

    def test_gc_2_3_managements_search_filters_in_place_without_pushing_the_name_into_the_url(self):
        form = self.search_form(self.management, "clients:admin_list")
        self.assertIn("hx-get=", form)
        self.assertNotIn("hx-push-url", form)
        self.assertNotIn("hx-replace-url", form)

    def test_gc_2_3_the_filtered_rows_tell_htmx_to_push_no_url(self):
        self.login(self.coach)
        response = self.client.get(reverse("clients:list"), {"q": "carla"}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("HX-Push-Url", response.headers)
        self.assertNotIn("HX-Replace-Url", response.headers)
