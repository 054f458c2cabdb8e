from django.urls import path

from . import views

app_name = "measurements"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("client/<uuid:client_id>/", views.client_measurements, name="client"),
    path("client/<uuid:client_id>/new/", views.session_new, name="session_new"),
    path("client/<uuid:client_id>/<uuid:session_id>/", views.session_detail, name="session"),
    path("client/<uuid:client_id>/<uuid:session_id>/rr/", views.upload_rr, name="upload_rr"),
    path("client/<uuid:client_id>/<uuid:session_id>/report/", views.download, {"part": "report"}, name="report"),
    path("client/<uuid:client_id>/<uuid:session_id>/intervals/", views.download, {"part": "rr"}, name="rr_file"),
]
