"""Context every page needs: the navigation and the installation's currency."""

from django.utils.functional import SimpleLazyObject

from portfolio.selectors.settings import currency_label

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
        # Read once per request, and only by pages that show it (a director sets it on /settings/).
        "currency": SimpleLazyObject(currency_label),
    }
