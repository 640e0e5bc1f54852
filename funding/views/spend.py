"""Actual spend: the list with filters, recording one row, importing a CSV, voiding, exporting."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from funding import services
from funding.filters import SpendFilter
from funding.forms import SpendForm, SpendImportForm
from funding.models import Spend
from funding.selectors.spend import spend_list
from funding.services.spend import neutralise_formula
from funding.templatetags.funding_tags import plain_amount
from funding.views.common import form_post, saved, writable_streams
from portfolio.permissions import is_director, managed_value_stream_ids


def spend_index(request):
    writable = writable_streams(request.user)
    form = SpendForm(value_streams=writable)
    import_form = SpendImportForm()

    def page(_errors=(), *, import_errors=()):
        filterset = SpendFilter(request.GET, queryset=spend_list())
        context = {
            "filter": filterset,
            "page": Paginator(filterset.qs, 50).get_page(request.GET.get("page")),
            "form": form,
            "import_form": import_form,
            "import_errors": list(import_errors),
            "can_record": writable.exists(),
            "managed_ids": managed_value_stream_ids(request.user),
            "is_director": is_director(request.user),
        }
        return render(request, "funding/spend.html", context, status=400 if request.method == "POST" else 200)

    def imported(result):
        # The import reports bad rows instead of raising: nothing was written then.
        if result.errors:
            return page(import_errors=result.errors)
        return saved(request, f"Imported {result.created} spend rows.", "funding-spend")

    if request.method != "POST":
        return page()
    if "file" in request.FILES:
        import_form = SpendImportForm(request.POST, request.FILES)
        return form_post(
            form=import_form,
            write=lambda data: services.spend_import_csv(user=request.user, data=data["file"].read()),
            refused=page,
            done=imported,
        )
    form = SpendForm(request.POST, value_streams=writable)
    return form_post(
        form=form,
        write=lambda data: services.spend_record(
            user=request.user,
            value_stream=data["value_stream"],
            month=data["month"],
            amount_cents=data["amount"],
            category=data["category"],
            note=data["note"],
        ),
        refused=page,
        done=lambda _: saved(request, "Spend recorded.", "funding-spend"),
    )


@require_POST
def spend_void(request, spend_id: int):
    spend = get_object_or_404(Spend, pk=spend_id)

    def refused(errors):
        messages.warning(request, " ".join(errors))
        return redirect("funding-spend")

    return form_post(
        form=None,
        write=lambda _: services.spend_void(
            user=request.user, spend=spend, reason=request.POST.get("reason", "")[:100]
        ),
        refused=refused,
        done=lambda _: redirect("funding-spend"),
    )


def spend_export(request):
    """Spend as CSV; text cells that a spreadsheet would run as formulas are neutralised."""
    filterset = SpendFilter(request.GET, queryset=spend_list())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="spend.csv"'
    writer = csv.writer(response)
    writer.writerow(["value_stream", "month", "amount", "category", "epic", "source", "note", "voided"])
    for spend in filterset.qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                neutralise_formula(spend.value_stream.slug),
                spend.month.strftime("%Y-%m"),
                plain_amount(spend.amount_cents),
                spend.category,
                neutralise_formula(spend.epic.key if spend.epic else ""),
                neutralise_formula(spend.source),
                neutralise_formula(spend.note),
                "yes" if spend.voided_at else "",
            ]
        )
    return response
