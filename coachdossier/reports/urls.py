from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("d/<str:token>/", views.download, name="download"),
    path("review/<uuid:report_id>/", views.review, name="review"),
    path("review/<uuid:report_id>/pdf/", views.review_pdf, name="review_pdf"),
    path("review/<uuid:report_id>/approve/", views.review_approve, name="review_approve"),
    path("review/<uuid:report_id>/sign/", views.review_sign, name="review_sign"),
    path("review/<uuid:report_id>/block/", views.review_block, name="review_block"),
    path("review/<uuid:report_id>/object/", views.review_object, name="review_object"),
    path("<uuid:client_id>/new/", views.report_new, name="new"),
    path("<uuid:client_id>/<uuid:report_id>/", views.report_detail, name="detail"),
    path("<uuid:client_id>/<uuid:report_id>/edit/", views.report_edit, name="edit"),
    path("<uuid:client_id>/<uuid:report_id>/medical/", views.report_medical, name="medical"),
    path("<uuid:client_id>/<uuid:report_id>/ready/", views.report_ready, name="ready"),
    path("<uuid:client_id>/<uuid:report_id>/notify/", views.report_notify, name="notify"),
    path("<uuid:client_id>/<uuid:report_id>/revise/", views.report_revise, name="revise"),
    path("<uuid:client_id>/<uuid:report_id>/send/", views.report_send, name="send"),
    path("<uuid:client_id>/<uuid:report_id>/pdf/", views.report_pdf, name="pdf"),
]
