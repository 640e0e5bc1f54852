"""`GET /api/value-streams/{id}/forecast/` and `GET /api/epics/{id}/forecast/`: the cached Monte
Carlo forecasts (the job computes them after each rollup; these endpoints never simulate)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio.models import Epic, ValueStream
from portfolio.selectors.forecasts import epic_forecast, value_stream_forecast

TOO_LITTLE = "Too little history: fewer than {minimum} weeks with done work items in the last {weeks} weeks."


class HowManySerializer(serializers.Serializer):
    by = serializers.DateField(source="horizon_end", allow_null=True, help_text="The end of the quarter.")
    p50 = serializers.IntegerField(source="how_many_p50", allow_null=True)
    p85 = serializers.IntegerField(source="how_many_p85", allow_null=True, help_text="85 % sure of at least this many.")
    p95 = serializers.IntegerField(source="how_many_p95", allow_null=True)


class ValueStreamForecastSerializer(serializers.Serializer):
    value_stream = serializers.IntegerField(source="value_stream_id")
    as_of = serializers.DateField(allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    trials = serializers.IntegerField(allow_null=True)
    history_weeks = serializers.IntegerField(allow_null=True)
    weeks_with_data = serializers.IntegerField(allow_null=True)
    enough_history = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    throughput = serializers.ListField(child=serializers.IntegerField(), source="throughput_items")
    how_many = HowManySerializer(source="*", allow_null=True)
    backtest_points = serializers.IntegerField()
    backtest_hits = serializers.IntegerField()
    backtest_p85_hit_rate = serializers.FloatField(allow_null=True)


class EpicForecastSerializer(serializers.Serializer):
    epic = serializers.IntegerField()
    value_stream = serializers.IntegerField()
    enough_history = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    as_of = serializers.DateField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True, help_text="Size of open work items (no size counts 1).")
    ahead = serializers.IntegerField(allow_null=True, help_text="Work ranked ahead of it in its value stream.")
    p50 = serializers.DateField(allow_null=True)
    p85 = serializers.DateField(allow_null=True)
    p95 = serializers.DateField(allow_null=True)
    probability_by_quarter_end = serializers.FloatField(allow_null=True)
    histogram = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


def _message(forecast) -> str:
    if forecast is None:
        return "Not forecast yet: the forecast is computed after the next rollup."
    if not forecast.enough_history:
        return TOO_LITTLE.format(minimum=settings.FORECAST_MIN_WEEKS_WITH_DATA, weeks=forecast.history_weeks)
    return ""


class _Empty:
    """Fields of a stream not forecast yet, so the response keeps its shape (null = no data)."""

    def __init__(self, value_stream_id):
        self.value_stream_id = value_stream_id
        self.as_of = self.computed_at = self.trials = self.history_weeks = self.weeks_with_data = None
        self.enough_history = False
        self.throughput_items = []
        self.horizon_end = self.how_many_p50 = self.how_many_p85 = self.how_many_p95 = None
        self.backtest_points = self.backtest_hits = 0


class ValueStreamForecastView(APIView):
    """A value stream's forecast: throughput history, how many items by the quarter's end, and
    how often P85 held in the backtest."""

    @extend_schema(responses=ValueStreamForecastSerializer, operation_id="value_streams_forecast_retrieve")
    def get(self, request, pk: int):
        value_stream = get_object_or_404(ValueStream, pk=pk)
        forecast = value_stream_forecast(value_stream_id=value_stream.pk)
        row = forecast or _Empty(value_stream.pk)
        row.message = _message(forecast)
        row.backtest_p85_hit_rate = round(row.backtest_hits / row.backtest_points, 4) if row.backtest_points else None
        return Response(ValueStreamForecastSerializer(row).data)


class EpicForecastView(APIView):
    """An epic's "when": P50/P85/P95 dates, the chance it is done by the quarter's end, and the
    distribution of finish weeks."""

    @extend_schema(responses=EpicForecastSerializer, operation_id="epics_forecast_retrieve")
    def get(self, request, pk: int):
        epic = get_object_or_404(Epic, pk=pk)
        forecast, item = epic_forecast(epic_id=epic.pk)
        message = _message(forecast)
        if forecast is not None and forecast.enough_history and item is None:
            message = "No remaining work: the epic has no open work items."
        body = {
            "epic": epic.pk,
            "value_stream": epic.value_stream_id,
            "enough_history": bool(forecast and forecast.enough_history),
            "message": message,
            "as_of": forecast.as_of if forecast else None,
            "remaining": item.remaining if item else None,
            "ahead": item.ahead if item else None,
            "p50": item.p50 if item else None,
            "p85": item.p85 if item else None,
            "p95": item.p95 if item else None,
            "probability_by_quarter_end": item.probability_by_horizon if item else None,
            "histogram": item.histogram if item else [],
        }
        return Response(EpicForecastSerializer(body).data)
