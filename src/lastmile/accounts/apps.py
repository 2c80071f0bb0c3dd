from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lastmile.accounts"
    label = "accounts"
