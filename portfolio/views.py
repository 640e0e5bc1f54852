from django.shortcuts import render

from portfolio.filters.base import ValueStreamFilter
from portfolio.selectors.base import value_stream_list


def value_stream_index(request):
    filterset = ValueStreamFilter(request.GET, queryset=value_stream_list(include_inactive=True))
    return render(request, "portfolio/value_stream_list.html", {"filter": filterset, "value_streams": filterset.qs})
