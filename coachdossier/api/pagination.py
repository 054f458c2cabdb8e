"""The API's one way of paging a list that grows without bound, as django-ninja pagination:
`?page=` from 1, PAGE_SIZE rows to a page, answered as `{count, page, results}`; a page past
the end is empty (docs/architecture.md). `GET /api/clients/` and a dossier's entries page the
same way by hand (clients/api.py, `_page`). A list whose rows SQL cannot pick out (their values
are sealed: a measured quantity's points) is paged the same way from a Python list."""

from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

PAGE_SIZE = 50


class Rows(NamedTuple):
    """What a paged operation returns: its rows in a fixed order, and how one row becomes its
    answer (applied to the rows of the page only)."""

    queryset: QuerySet | list
    out: Callable[[Any], Any]


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, description="The page, from 1; a page past the end is empty.")

    class Output(Schema):
        count: int = Field(description="Rows over all pages.")
        page: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        rows = queryset if isinstance(queryset, Rows) else Rows(queryset, lambda row: row)
        found_rows = rows.queryset
        page = max(pagination.page, 1)
        count = len(found_rows) if isinstance(found_rows, list) else found_rows.count()
        start = (page - 1) * PAGE_SIZE
        # A page past the end is empty, without asking SQL for an offset beyond its integers.
        found = list(found_rows[start:start + PAGE_SIZE]) if start < count else []
        return {"count": count, "page": page, "results": [rows.out(row) for row in found]}
