"""`GET <collection>/{id}/history/` for every history-tracked resource: who changed what, when,
from what to what, and why (see `portfolio.history`).

A viewset gets the route by mixing in `HistoryMixin`; the object is found through the viewset's
own scoped queryset (a row the caller may not read is a 404; only its id is read), then one page of its history rows
and the one row before that page are read: a constant number of queries however long the history.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a non-numeric id is a 404, not a ValueError

from portfolio.history import entries_of, object_history, record_before


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's API name (money fields without `_cents`).")
    old = serializers.JSONField(allow_null=True, help_text="The value before; null when created.")
    new = serializers.JSONField(allow_null=True, help_text="The value after (money as a two-decimal string).")


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    when = serializers.DateTimeField()
    user = serializers.IntegerField(allow_null=True, help_text="Who saved it (user id); null for the system.")
    who = serializers.CharField(help_text="Who saved it, by name; 'system' for background jobs.")
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"], source="kind")
    reason = serializers.CharField(allow_blank=True)
    changes = FieldChangeSerializer(many=True)


class HistoryMixin:
    """Adds the read-only `history` route to a viewset whose model is history-tracked."""

    @extend_schema(
        summary="The change history of this object",
        description=(
            "Newest first, paginated. Each entry is one save: who, when, created / changed / deleted, "
            "the reason given, and the fields it changed with their old and new values."
        ),
        responses=HistoryEntrySerializer(many=True),
        filters=False,
        parameters=[],
    )
    # No filter backends: the collection's filters and ordering mean nothing for one object.
    @action(detail=True, methods=["get"], url_path="history", filter_backends=[])
    def history(self, request, *args, **kwargs):
        # Only the id through the viewset's scoped queryset (a row the caller may not read is a
        # 404): its prefetches and the object itself are not needed for the history.
        visible = self.get_queryset().prefetch_related(None)
        pk = get_object_or_404(visible.values_list("pk", flat=True), pk=kwargs.get("pk"))
        model = visible.model
        records = list(self.paginate_queryset(object_history(model, pk=pk)))
        previous = record_before(model, records[-1]) if records else None
        data = HistoryEntrySerializer(entries_of(model, records, previous=previous), many=True).data
        return self.get_paginated_response(data)
