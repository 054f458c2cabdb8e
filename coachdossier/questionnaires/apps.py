from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "coachdossier.questionnaires"
    label = "questionnaires"
