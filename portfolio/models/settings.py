"""Installation settings that directors change on pages, and the audit log of settings changes."""

from django.conf import settings
from django.db import models


class OrgSettings(models.Model):
    """The installation's display settings, one row (id 1), changed by directors on /settings/.

    A blank field means "the environment's setting" (CURRENCY, DORA_BENCHMARK), so an
    installation that never opened the page behaves as before. The currency is still one per
    installation (money is stored in it); `currency_display` only changes how pages label it
    ("€", "EUR", "k€"...).
    """

    currency_display = models.CharField(
        max_length=8, blank=True, help_text="How pages label amounts (e.g. € or EUR); blank: the CURRENCY setting."
    )
    dora_benchmark = models.CharField(
        max_length=4, blank=True, help_text="The DORA benchmark vintage that grades streams; blank: the setting."
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="org_settings_single_row")]

    def __str__(self) -> str:
        return "organisation settings"


class SettingChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"


class SettingChange(models.Model):
    """One audited change made on the settings pages or API: who, when, what, old and new.

    Settings rows (value streams, quarters, WIP limits, entry policies, source rules, status
    mappings, display settings, users' roles) are not all history-tracked models, and some are
    deleted (a status mapping), so one append-only log keeps them all, in one place a director
    reads. `changes` is {field: [old, new]} in JSON-friendly values.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=SettingChangeAction.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id"], name="setting_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_repr} {self.action}"
