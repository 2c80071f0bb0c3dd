from django.apps import AppConfig


class WhatIfConfig(AppConfig):
    name = "lastmile.whatif"
    label = "whatif"
    verbose_name = "What if"
