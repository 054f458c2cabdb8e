from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachdossier.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import receivers  # noqa: F401  (allauth security events -> sessions, log)
