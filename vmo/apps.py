from django.apps import AppConfig


class VmoConfig(AppConfig):
    name = "vmo"
