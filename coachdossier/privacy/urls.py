from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("registry/", views.registry_list, name="registry"),
    path("registry/<uuid:coach_id>/edit/", views.profile_edit, name="profile_edit"),
    path("registry/<uuid:profile_id>/fee/", views.fee_new, name="fee_new"),
    path("registry/<uuid:profile_id>/cv/", views.cv_upload, name="cv_upload"),
    path("registry/<uuid:profile_id>/cv/download/", views.cv_download, name="cv_download"),
    path("registry/<uuid:profile_id>/profile.pdf", views.profile_pdf, name="profile_pdf"),
    path("retention/", views.retention, name="retention"),
    path("clients/<uuid:client_id>/holds/new/", views.legal_hold_new, name="legal_hold_new"),
    path("clients/<uuid:client_id>/holds/<uuid:hold_id>/release/", views.legal_hold_release,
         name="legal_hold_release"),
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints.json", views.checkpoints_download, name="checkpoints_download"),
]
urlpatterns += [
    path("handovers/", views.handover_list, name="handovers"),
    path("clients/<uuid:client_id>/handover/", views.handover, name="handover"),
    path("clients/<uuid:client_id>/handover/<uuid:handover_id>/download/", views.handover_download,
         name="handover_download"),
    path("clients/<uuid:client_id>/handover/<uuid:handover_id>/delivered/", views.handover_deliver,
         name="handover_deliver"),
]
