"""The CSV import page for delivery data: upload, then watch the import task's progress.

The upload stores the file as a pending `DeliveryImport` row and hands the task's message to a
background publisher that never blocks the request; progress is read from that row (the task
writes it), never from the broker's result backend. A message lost with the broker is sent
again by a worker when it starts (the pending row is the outbox).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portfolio.models import DeliveryImport, DeliveryImportKind, Source, ValueStream
from portfolio.permissions import can_manage_value_stream, is_director, managed_value_stream_ids
from portfolio.selectors.base import parked_list
from portfolio.services import settings as settings_services
from portfolio.services.csv_import import delivery_import_create

TEMPLATE = "portfolio/delivery_import.html"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class DeliveryImportForm(forms.Form):
    kind = forms.ChoiceField(choices=DeliveryImportKind.choices)
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.none(),
        help_text="For rows without the column.",
        empty_label="Choose a value stream",
    )
    file = forms.FileField(help_text="CSV with the API's field names as header; at most 10 MB.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streams = ValueStream.objects.order_by("name")
        if not is_director(user):
            streams = streams.filter(id__in=managed_value_stream_ids(user))
        self.fields["value_stream"].queryset = streams

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 10 MB; split it.")
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text.") from exc


def _may_import(user) -> bool:
    return is_director(user) or bool(managed_value_stream_ids(user))


@require_http_methods(["GET", "POST"])
def delivery_import(request):
    if not _may_import(request.user):
        raise PermissionDenied("Only value stream managers and VMO directors import delivery data.")
    form = DeliveryImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        value_stream = form.cleaned_data["value_stream"]
        if not can_manage_value_stream(request.user, value_stream.id):
            raise PermissionDenied("You do not manage this value stream.")
        filename, text = form.cleaned_data["file"]
        record = delivery_import_create(
            kind=form.cleaned_data["kind"],
            content=text,
            user=request.user,
            value_stream_id=value_stream.id,
            filename=filename,
        )
        from core.publish import publish
        from portfolio.tasks import DELIVERY_IMPORT_TASK

        publish(DELIVERY_IMPORT_TASK, kwargs={"import_id": record.id})
        return redirect("delivery-import-detail", import_id=record.id)
    recent = DeliveryImport.objects.filter(uploaded_by=request.user).select_related("value_stream")[:10]
    return render(request, TEMPLATE, {"form": form, "imports": recent})


def _progress(record: DeliveryImport) -> dict:
    finished = record.status != "pending"
    state = "finished" if finished else ("running" if record.started_at else "queued")
    return {
        "record": record,
        "state": state,
        "done": record.rows_done,
        "total": record.rows_total or 1,
        "finished": finished,
    }


@require_GET
def delivery_import_detail(request, import_id: int):
    record = get_object_or_404(DeliveryImport.objects.select_related("value_stream"), id=import_id)
    if record.uploaded_by_id != request.user.id and not is_director(request.user):
        raise PermissionDenied("This import is someone else's.")
    context = _progress(record)
    if request.htmx:
        return render(request, f"{TEMPLATE}#import-progress", context)
    return render(
        request, TEMPLATE, {**context, "detail": True, "poll_url": reverse("delivery-import-detail", args=[import_id])}
    )


class SourceRuleForm(forms.Form):
    source = forms.ChoiceField(choices=Source.choices)
    pattern = forms.CharField(max_length=200, help_text="Repository (owner/name), project key or service id.")
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.order_by("name"), empty_label="Choose a value stream"
    )
    reports_incidents = forms.BooleanField(required=False, help_text="Its incidents are the stream's incidents.")


@require_http_methods(["GET", "POST"])
def delivery_parked(request):
    """`/delivery/parked/`: deliveries no rule maps (directors only); adding a rule replays them."""
    if not is_director(request.user):
        raise PermissionDenied("Only VMO directors map delivery sources to value streams.")
    form = SourceRuleForm(request.POST or None, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        try:
            _rule, replayed = settings_services.source_rule_save(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Rule added; {replayed} parked deliver{'y' if replayed == 1 else 'ies'} replayed."
            )
            return redirect("delivery-parked")
    return render(request, "portfolio/delivery_parked.html", {"form": form, "parked": parked_list()})
