from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.complaint_new, name="new"),
    path("lodge/", views.lodge, name="lodge"),
    path("procedure.pdf", views.procedure_pdf, name="procedure_pdf"),
    path("procedure/", views.procedure, name="procedure"),
    path("procedure/send/", views.procedure_send, name="procedure_send"),
    path("letter-templates/", views.templates, name="templates"),
    path("letter-templates/<slug:kind>/", views.template_edit, name="template_edit"),
    path("closure-days/", views.closures, name="closures"),
    path("closure-days/<int:day_id>/delete/", views.closure_delete, name="closure_delete"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("uwv/", views.uwv, name="uwv"),
    path("<uuid:complaint_id>/", views.detail, name="detail"),
    path("<uuid:complaint_id>/mine/", views.mine, name="mine"),
    path("<uuid:complaint_id>/steps/<slug:step>/", views.step, name="step"),
    path("<uuid:complaint_id>/letters/<uuid:letter_id>/", views.letter_pdf, name="letter"),
    path("<uuid:complaint_id>/documents/<uuid:document_id>/", views.document, name="document"),
]
