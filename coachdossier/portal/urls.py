from django.urls import path

from .views import client, staff

app_name = "portal"
urlpatterns = [
    path("", client.home, name="home"),
    path("schema.json", client.schema, name="schema"),
    path("invitation/<str:token>/", client.accept, name="accept"),
    path("dossier/", client.dossier, name="dossier"),
    path("dossier/attachments/<uuid:attachment_id>/", client.attachment, name="attachment"),
    path("copy/", client.copy, name="copy"),
    path("copy/request/", client.copy_request, name="copy_request"),
    path("copy/<uuid:request_id>/<str:fmt>/", client.copy_download, name="copy_download"),
    path("requests/", client.requests, name="requests"),
    path("requests/<uuid:request_id>/withdraw/", client.request_withdraw, name="request_withdraw"),
    path("requests/correction/", client.correction_new, name="correction"),
    path("requests/destruction/", client.destruction_new, name="destruction"),
    path("statements/new/", client.statement_new, name="statement"),
    path("statements/<uuid:entry_id>/withdraw/", client.statement_withdraw, name="statement_withdraw"),
    path("consents/", client.consents, name="consents"),
    path("consents/<uuid:consent_id>/withdraw/", client.consent_withdraw, name="consent_withdraw"),
    path("consents/proposals/<uuid:proposal_id>/<str:decision>/", client.proposal_decide, name="proposal_decide"),
    path("messages/", client.messages_view, name="messages"),
    path("communication/", client.communication, name="communication"),
    path("access-log/", client.access_log, name="access_log"),
    # Staff
    path("manage/destructions/", staff.destructions, name="destructions"),
    path("manage/<uuid:client_id>/", staff.manage_client, name="manage_client"),
    path("manage/<uuid:client_id>/invite/", staff.invite, name="invite"),
    path("manage/<uuid:client_id>/messages/", staff.coach_message, name="coach_message"),
    path("manage/<uuid:client_id>/consents/propose/", staff.propose_consent, name="propose_consent"),
    path("manage/<uuid:client_id>/requests/new/", staff.letter_request, name="letter_request"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/", staff.request_detail, name="request"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/copy.pdf", staff.staff_copy, name="staff_copy"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/release/", staff.request_release, name="release"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/decide/", staff.request_decide, name="decide"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/recipients/", staff.request_notices,
         name="recipients"),
    path("manage/<uuid:client_id>/requests/<uuid:request_id>/destroy/", staff.request_destroy, name="destroy"),
]
