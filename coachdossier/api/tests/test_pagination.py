"""Lists that grow without end come a page at a time (api/pagination.py): `?page=` from 1,
{count, page, results}, a page past the end empty, and every page at the same number of
queries however long the list."""

import datetime
import json
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from zeal import zeal_context

from coachdossier.api import pagination
from coachdossier.api.api import api
from coachdossier.complaints.tests.test_actions import ComplaintsTestCase


class ComplaintRegisterPagingTestCase(ComplaintsTestCase):
    def lodge_many(self, n, first=datetime.date(2026, 3, 2)):
        return [self.lodge(received=first + datetime.timedelta(days=i)) for i in range(n)]

    def register(self, query=""):
        response = self.client.get(f"/api/complaints/?open=false{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def queries(self, query=""):
        with zeal_context(), CaptureQueriesContext(connection) as queries:
            self.register(query)
        return len(queries)

    def test_the_register_comes_a_page_at_a_time_newest_first_and_past_the_end_empty(self):
        complaints = self.lodge_many(3)
        self.login(self.outsider)  # the complaints officer sees the whole register
        with mock.patch.object(pagination, "PAGE_SIZE", 2):
            pages = [self.register(f"&page={n}") for n in (1, 2, 3, 10**30)]
            self.assertEqual(self.register("&page=0")["page"], 1)
        self.assertEqual([(p["count"], p["page"]) for p in pages], [(3, 1), (3, 2), (3, 3), (3, 10**30)])
        ids = [c["id"] for page in pages for c in page["results"]]
        self.assertEqual(ids, [str(c.public_id) for c in reversed(complaints)])
        self.assertEqual(pages[2]["results"], [])

    def test_a_page_costs_the_same_queries_with_3_complaints_as_with_60(self):
        self.lodge_many(3)
        self.login(self.outsider)
        self.register()  # the session's first request records the session (usersessions)
        small = self.queries()
        self.lodge_many(57, first=datetime.date(2026, 4, 1))
        self.assertEqual(len(self.register()["results"]), pagination.PAGE_SIZE)
        self.assertEqual(self.queries(), small)
        self.assertEqual(self.queries("&page=2"), small)

    def test_the_document_describes_the_page_parameter_and_the_paged_answer(self):
        document = json.loads(json.dumps(api.get_openapi_schema()))
        register = document["paths"]["/api/complaints/"]["get"]
        self.assertIn("page", [p["name"] for p in register["parameters"]])
        answer = register["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        self.assertEqual(set(document["components"]["schemas"][answer]["properties"]), {"count", "page", "results"})


class DestructionRegisterPagingTestCase(ComplaintsTestCase):
    def file_destructions(self, n, first=0):
        """n clients of Alice's each ask for their dossier to be destroyed (one open request each)."""
        from coachdossier.accounts.models import Role
        from coachdossier.portal import actions
        from coachdossier.portal.models import RequestChannel, RequestKind
        from coachdossier.portal.tests.base import CLIENT_GRANT
        from coachdossier.test import make_client, make_user

        for i in range(first, first + n):
            user = make_user(f"client{i}@example.com", f"Client {i}", Role.CLIENT)
            client = make_client(actor=self.management, coach=self.coach, principal=self.employer,
                                 first=f"Client{i}", user=user)
            actions.file_request(actor=user, client=client, kind=RequestKind.DESTRUCTION, grant=CLIENT_GRANT,
                                 now=self.now + datetime.timedelta(days=i), channel=RequestChannel.API)

    def test_the_destruction_register_is_paged_at_the_same_queries_per_page(self):
        """GC-5.4: every destruction request of every year, newest first."""
        self.file_destructions(1)
        self.login(self.management)
        self.client.get("/api/portal/destructions")
        with CaptureQueriesContext(connection) as small:
            first = self.client.get("/api/portal/destructions").json()
        self.assertEqual((first["count"], first["page"], len(first["results"])), (1, 1, 1))
        with mock.patch.object(pagination, "PAGE_SIZE", 2):
            self.file_destructions(3, first=1)
            with zeal_context(), CaptureQueriesContext(connection) as large:
                page = self.client.get("/api/portal/destructions?page=2").json()
        self.assertEqual((page["count"], page["page"], len(page["results"])), (4, 2, 2))
        self.assertEqual(len(large), len(small))
