from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coachdossier import policy

from .models import STAFF_ROLES, Role


@dataclass
class NavItem:
    url: str
    label: str
    active: bool = False


# (url name, label, roles that see it). Apps add their entries here as they land.
NAVIGATION = [
    ("home", _("Dashboard"), STAFF_ROLES),
    ("clients:list", _("My clients"), {Role.COACH}),
    ("clients:admin_list", _("Clients"), {Role.MANAGEMENT}),
    ("clients:principals", _("Principals"), {Role.MANAGEMENT}),
    ("measurements:caseload", _("Measurements"), {Role.THERAPIST}),
    # Coaches too: they register complaints that reach them by phone (KR-2.2) and see their committee cases.
    ("complaints:register", _("Complaints"), {Role.COMPLAINTS_OFFICER, Role.MANAGEMENT, Role.COACH}),
    ("reports:overview", _("Reports"), {Role.MANAGEMENT}),
    ("privacy:overview", _("Privacy"), {Role.MANAGEMENT, Role.AUDITOR}),
    # A client's dashboard is the portal's overview, named as the portal's own menu names it.
    ("portal:home", _("Overview"), {Role.CLIENT}),
    ("api:openapi-view", _("API"), {Role.COACH, Role.MANAGEMENT, Role.ADMIN}),
]


LANDING_PAGES = {"home", "portal:home"}


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        from django.urls import NoReverseMatch

        for name, label, roles in NAVIGATION:
            if roles is not None and not user.has_role(*roles):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:  # the app providing it is not wired yet
                continue
            # An overview is current only on itself; the portal's menu marks the page within it.
            active = request.path == url if name in LANDING_PAGES else request.path.startswith(url)
            items.append(NavItem(url, label, active))
    return {"nav_items": items, "practice_name": policy.current().practice_name}
