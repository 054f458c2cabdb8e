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
urlpatterns += [
    path("confidentiality/", views.confidentiality_register, name="confidentiality_register"),
    path("clients/<uuid:client_id>/confidentiality/new/", views.confidentiality_new, name="confidentiality_new"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/new/", views.breach_new, name="breach_new"),
    path("breaches/<uuid:breach_id>/", views.breach_detail, name="breach_detail"),
    path("breaches/<uuid:breach_id>/clients/", views.breach_client, name="breach_client"),
    path("breaches/<uuid:breach_id>/close/", views.breach_close, name="breach_close"),
    path("processing/", views.processing_register, name="processing"),
    path("processing.pdf", views.processing_pdf, name="processing_pdf"),
    path("processors/new/", views.processor_new, name="processor_new"),
    path("dpia/new/", views.dpia_new, name="dpia_new"),
    path("dpia/<uuid:dpia_id>/", views.dpia_download, name="dpia_download"),
]
urlpatterns += [
    path("security-report/", views.security_report, name="security_report"),
    path("security-report.pdf", views.security_report_pdf, name="security_report_pdf"),
    path("log-review/", views.log_review, name="log_review"),
]
urlpatterns += [
    path("clients/<uuid:client_id>/supervision/", views.supervision, name="supervision"),
    path("research/", views.research, name="research"),
    path("clients/<uuid:client_id>/consents/<uuid:consent_id>/umbrella/", views.umbrella_approval,
         name="umbrella_approval"),
]
