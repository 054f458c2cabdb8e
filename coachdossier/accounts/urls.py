from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("confidentiality/", views.confidentiality_statement, name="confidentiality"),
    path("language/", views.set_language, name="set_language"),
    path("security/", views.security, name="security"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
