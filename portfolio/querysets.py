"""Query vocabulary for portfolio models: scoping and common annotations."""

from django.db import models


class ValueStreamQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def managed_by(self, user):
        """Value streams whose figures and epics `user` may change as their manager."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(managers=user)


class QuarterQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(start__lte=day, end__gte=day)
