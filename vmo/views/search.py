"""The global search at /search/?q=: epics, key results, value streams, action items and people,
grouped by kind with counts. Everyone logged in reads the portfolio, so everyone sees every kind
(the same rows the pages listing them show)."""

from django.shortcuts import render

from vmo.selectors.search import PER_KIND, site_search


def search(request):
    text = request.GET.get("q", "")
    results = site_search(text=text)
    return render(
        request,
        "vmo/search.html",
        {"q": " ".join(results.terms) if results else "", "results": results, "per_kind": PER_KIND},
    )
