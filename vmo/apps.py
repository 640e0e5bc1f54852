from django.apps import AppConfig


class VmoConfig(AppConfig):
    name = "vmo"

    def ready(self):
        # Registers the single sign-on configuration checks (manage.py check, and at start-up).
        from vmo import checks  # noqa: F401
