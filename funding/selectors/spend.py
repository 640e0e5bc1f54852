"""Reads for actual spend."""

from funding.models import Spend


def spend_list():
    return Spend.objects.select_related("value_stream", "epic", "created_by")
