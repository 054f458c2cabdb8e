from django.urls import include, path, re_path

from coachdossier.accounts import views as account_views
from coachdossier.api.api import api, unknown_path

handler500 = "coachdossier.accounts.views.server_error"  # a lost database gives a 503 page

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path("accounts/", include("coachdossier.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("clients/", include("coachdossier.clients.urls")),
    path("portal/", include("coachdossier.portal.urls")),
    path("reports/", include("coachdossier.reports.urls")),
    path("complaints/", include("coachdossier.complaints.urls")),
    path("questionnaires/", include("coachdossier.questionnaires.urls")),
    path("measurements/", include("coachdossier.measurements.urls")),
    path("privacy/", include("coachdossier.privacy.urls")),
    path("api/", api.urls),
    # After the API: only what none of its routes matched (newlines included, unlike path()).
    re_path(r"^api/[\s\S]*", unknown_path),
]
