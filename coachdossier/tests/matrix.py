"""The authorization matrix: every route × every persona, generated from the URL configuration.

Each app lists its routes in `<app>/tests/routes.py`:

    ROUTES = [
        Route("clients:detail", lambda w: {"client_id": w.own_client.public_id},
              expect={"coach": 200, "other_coach": 404, "management": 403, ...}),
    ]
    def setup(world): ...   # optional: create the objects the app's routes need

The target of every client route is Carla (`w.own_client`), Alice's client. So for each
route the matrix covers the own relationship (coach Alice, client Carla), another client's
people (coach Bob, client Daan), and no relationship at all (therapist without referral,
complaints officer, auditor), plus management and the anonymous visitor. The committee persona
(`w.committee_member`, Cor) is a coach without clients who sits on the committee of Carla's
complaint (KR-3.3b): the complaint case is hers to read and add notes to, Carla's dossier is not
(GC-9.4), and the handlers' steps are not.

A persona missing from `expect` is a test failure: every cell is decided explicitly.
`test_access_matrix` fails when a route in the URL configuration has no Route here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = ("anonymous", "coach", "other_coach", "committee", "client", "other_client", "management", "therapist",
            "outsider", "auditor")

# URL namespaces and names that are not ours to test here (allauth's own pages, the API,
# which has its own matrix, and the static server).
EXCLUDED_NAMESPACES = {"api"}
EXCLUDED_PREFIXES = ("account_", "mfa_", "usersessions_", "socialaccount_")


@dataclass
class Route:
    name: str
    kwargs: Callable = field(default=lambda w: {})
    expect: dict = field(default_factory=dict)
    method: str = "GET"
    data: Callable | None = None  # POST body builder; empty by default
    query: str = ""
    public: bool = False  # reachable without login (the anonymous visitor is not sent to log in)


def add_committee_member(world) -> None:
    """The committee persona: a coach with no clients of her own. The complaints app's route
    tables put her on the committee of Carla's complaint cases."""
    from coachdossier.accounts.models import Role
    from coachdossier.test import make_user

    world.committee_member = make_user("cor@commissie.example.com", "Cor Commissie", Role.COACH)


def anonymous_status(route: Route) -> int:
    return 302
