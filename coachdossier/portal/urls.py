from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("schema.json", views.schema, name="schema"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("dossier/", views.dossier, name="dossier"),
    path("dossier/attachments/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("copy/", views.copy, name="copy"),
    path("copy/request/", views.copy_request, name="copy_request"),
    path("copy/<uuid:request_id>/<str:fmt>/", views.copy_download, name="copy_download"),
    path("requests/", views.requests, name="requests"),
    path("requests/<uuid:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/correction/", views.correction_new, name="correction"),
    path("requests/destruction/", views.destruction_new, name="destruction"),
    path("statements/new/", views.statement_new, name="statement"),
    path("consents/", views.consents, name="consents"),
    path("consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/proposals/<uuid:proposal_id>/<str:decision>/", views.proposal_decide, name="proposal_decide"),
    path("messages/", views.messages_view, name="messages"),
    path("communication/", views.communication, name="communication"),
    path("access-log/", views.access_log, name="access_log"),
    # Staff
    path("manage/destructions/", views.destructions, name="destructions"),
    path("manage/<uuid:client_id>/", views.manage_client, name="manage_client"),
    path("manage/<uuid:client_id>/invite/", views.invite, name="invite"),
    path("manage/<uuid:client_id>/messages/", views.coach_message, name="coach_message"),
    path("manage/<uuid:client_id>/consents/propose/", views.propose_consent, name="propose_consent"),
    path("manage/<uuid:client_id>/requests/new/", views.letter_request, name="letter_request"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/", views.request_detail, name="request"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/copy.pdf", views.staff_copy, name="staff_copy"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/release/", views.request_release, name="release"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/decide/", views.request_decide, name="decide"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/recipients/", views.request_notices,
         name="recipients"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/destroy/", views.request_destroy, name="destroy"),
]
