from django.urls import path

from . import views

app_name = "questionnaires"
urlpatterns = [
    path("mine/", views.my_questionnaires, name="mine"),
    path("fill/<uuid:administration_id>/", views.fill, name="fill"),
    path("client/<uuid:client_id>/send/", views.send, name="send"),
    path("client/<uuid:client_id>/<uuid:administration_id>/", views.result, name="result"),
]
