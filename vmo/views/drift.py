"""The drift report page: what changed between two dates (`?from=` and `?to=`, YYYY-MM-DD)."""

from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import render

from core.history import as_of_date
from vmo.selectors.drift import drift_report


def drift(request):
    try:
        start = as_of_date(request.GET.get("from"))
        end = as_of_date(request.GET.get("to"))
    except ValidationError:
        raise BadRequest("Give the dates as YYYY-MM-DD, not after today.") from None
    if start and end and start > end:
        raise BadRequest("The first date comes before the second.")
    return render(request, "vmo/drift.html", {"report": drift_report(start=start, end=end)})
