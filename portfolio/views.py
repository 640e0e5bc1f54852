from django.shortcuts import render

from portfolio.filters.base import ValueStreamFilter
from portfolio.metrics import CATALOGUE
from portfolio.selectors.base import value_stream_list


def value_stream_index(request):
    filterset = ValueStreamFilter(request.GET, queryset=value_stream_list(include_inactive=True))
    return render(request, "portfolio/value_stream_list.html", {"filter": filterset, "value_streams": filterset.qs})


def metrics_catalogue(request):
    """`/metrics/`: each figure's formula, unit, window, source and what "no data" means."""
    groups: dict[str, list] = {}
    for metric in CATALOGUE:
        groups.setdefault(metric.group, []).append(metric)
    return render(request, "portfolio/metrics.html", {"groups": groups, "catalogue": CATALOGUE})
