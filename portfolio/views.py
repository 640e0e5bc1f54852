from django.shortcuts import get_object_or_404, render

from portfolio.filters.base import ValueStreamFilter
from portfolio.models import ValueStream
from portfolio.selectors.base import value_stream_list


def value_stream_index(request):
    filterset = ValueStreamFilter(request.GET, queryset=value_stream_list(include_inactive=True))
    return render(request, "portfolio/value_stream_list.html", {"filter": filterset, "value_streams": filterset.qs})


def value_stream_detail(request, slug: str):
    value_stream = get_object_or_404(ValueStream.objects.prefetch_related("managers"), slug=slug)
    return render(request, "portfolio/value_stream_detail.html", {"value_stream": value_stream})
