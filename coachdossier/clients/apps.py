from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "coachdossier.clients"
    label = "clients"
    verbose_name = "Clients and dossiers"
