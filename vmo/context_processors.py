"""Context every page needs: the navigation and the installation's currency."""

from django.conf import settings

NAVIGATION = (
    ("overview", "Overview"),
    ("kanban-board", "Kanban"),
    ("funding-home", "Funding"),
    ("okrs-home", "OKRs"),
    ("value-stream-list", "Value streams"),
    ("vmo-home", "VMO"),
)


def shell(request):
    match = getattr(request, "resolver_match", None)
    return {
        "navigation": NAVIGATION,
        "current_url_name": match.url_name if match else "",
        "currency": settings.CURRENCY,
    }
