from django.apps import AppConfig


class OrgSettingsConfig(AppConfig):
    """The directors' settings pages (/settings/): they compose the services of the apps that own
    each setting (portfolio, kanban, vmo) and own no model."""

    name = "orgsettings"
    verbose_name = "Settings pages"
