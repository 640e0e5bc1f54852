"""`/kanban/governance/`: how long the VMO's governance states hold epics in a quarter. The
board loads its panel with htmx; the page itself works without JavaScript."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kanban.selectors import governance_flow_days
from portfolio.metrics import BY_KEY
from portfolio.selectors.base import quarter_from_code, quarter_next, quarter_previous


@require_GET
def governance(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    rows, previous, following = [], None, None
    if quarter is not None:
        end = min(quarter.end, timezone.localdate())
        rows = governance_flow_days(start=quarter.start, end=end) if end >= quarter.start else []
        if not request.htmx:
            previous, following = quarter_previous(quarter=quarter), quarter_next(quarter=quarter)
    template = "kanban/governance.html#panel" if request.htmx else "kanban/governance.html"
    context = {
        "quarter": quarter,
        "rows": rows,
        "previous": previous,
        "following": following,
        "definition": BY_KEY["governance_flow"],
    }
    return render(request, template, context)
