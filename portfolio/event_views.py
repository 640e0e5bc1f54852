"""The directors' page for outbound event subscriptions: add a receiver, turn one off or back
on, remove it, and read the latest deliveries with their status codes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portfolio.models import EventDeliveryAttempt, EventSubscription, EventType
from portfolio.services import events as services

TEMPLATE = "portfolio/event_subscriptions.html"
LOG_ROWS = 50


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=120)
    url = forms.URLField(
        label="Receiver URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
    )
    secret = forms.CharField(max_length=200, help_text="Shared with the receiver; signs every delivery.")
    event_types = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple)


@require_http_methods(["GET", "POST"])
def event_subscriptions(request):
    services.require_events_admin(request.user)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Subscription added.")
            return redirect("event-subscriptions")
    subscriptions = EventSubscription.objects.order_by("name", "id")
    log = EventDeliveryAttempt.objects.select_related("delivery__event", "delivery__subscription").order_by(
        "-attempted_at", "-id"
    )[:LOG_ROWS]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        TEMPLATE,
        {"form": form, "subscriptions": subscriptions, "log": log, "event_types": dict(EventType.choices)},
        status=status,
    )


@require_POST
def event_subscription_action(request, subscription_id: int):
    """Turn a subscription off or on (`active`), or remove it (`delete`)."""
    services.require_events_admin(request.user)
    subscription = get_object_or_404(EventSubscription, pk=subscription_id)
    if "delete" in request.POST:
        services.subscription_delete(user=request.user, subscription=subscription)
        messages.success(request, f"{subscription.name} removed.")
    else:
        active = request.POST.get("active") == "1"
        services.subscription_update(user=request.user, subscription=subscription, active=active)
        messages.success(request, f"{subscription.name} turned {'on' if active else 'off'}.")
    return redirect("event-subscriptions")
