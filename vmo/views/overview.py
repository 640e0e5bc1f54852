"""The executive overview at `/`."""

from django.shortcuts import render

from portfolio.selectors.base import value_stream_list


def overview(request):
    return render(request, "vmo/overview.html", {"value_streams": value_stream_list()})
