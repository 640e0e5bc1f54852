"""Pages: the bell (loaded by htmx after each page, so no page's pinned query count changes),
the list with mark read (one / all), preferences, report schedules and what they sent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import services
from notifications.forms import PreferenceForm, ReportScheduleForm
from notifications.models import NoticeKind, Notification, ReportSchedule
from notifications.selectors import (
    notification_list,
    preference_of,
    report_delivery_list,
    report_schedule_list,
    unread_count,
)
from portfolio.permissions import is_director
from vmo.views.planning import add_errors


@require_GET
@never_cache
def bell(request):
    return render(request, "notifications/bell.html", {"unread": unread_count(user=request.user)})


def _list_context(request) -> dict:
    unread_only = request.GET.get("unread") == "1"
    return {
        "notifications": notification_list(user=request.user, unread_only=unread_only),
        "unread": unread_count(user=request.user),
        "unread_only": unread_only,
    }


@require_GET
def notification_index(request):
    return render(request, "notifications/list.html", _list_context(request))


@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    if request.htmx:
        context = {"n": notification, "unread": unread_count(user=request.user), "row_oob": True}
        return render(request, "notifications/list.html#row", context)
    return redirect("notification-list")


@require_POST
def notification_read_all(request):
    services.notification_mark_all_read(user=request.user)
    if request.htmx:
        return render(request, "notifications/list.html#notices", {**_list_context(request), "oob": True})
    return redirect("notification-list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = preference_of(user=request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            wanted = set(form.cleaned_data["kinds"])
            services.preference_update(
                user=request.user,
                muted_kinds=[kind for kind in NoticeKind.values if kind not in wanted],
                email_digest=form.cleaned_data["email_digest"],
            )
            messages.success(request, "Notification preferences saved.")
            return redirect("notification-preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    muted = set(preference.muted_kinds or ())
    form = PreferenceForm(
        initial={
            "kinds": [kind for kind in NoticeKind.values if kind not in muted],
            "email_digest": preference.email_digest,
        }
    )
    return render(request, "notifications/preferences.html", {"form": form})


def _schedules_context(request, *, form=None) -> dict:
    return {
        "schedules": report_schedule_list(),
        "deliveries": report_delivery_list(),
        "form": form or ReportScheduleForm(),
        "can_schedule": is_director(request.user),
    }


@require_http_methods(["GET", "POST"])
def report_schedules(request):
    if request.method == "GET":
        return render(request, "notifications/schedules.html", _schedules_context(request))
    form = ReportScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.report_schedule_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Report scheduled.")
            return redirect("report-schedules")
    elif not is_director(request.user):
        # A non-director's invalid form is still a refusal, not a form to correct.
        raise PermissionDenied("Only VMO directors schedule reports.")
    return render(request, "notifications/schedules.html", _schedules_context(request, form=form), status=400)


@require_POST
def report_schedule_active(request, pk: int):
    active = request.POST.get("active") == "1"
    try:
        services.report_schedule_set_active(user=request.user, schedule_id=pk, active=active)
    except ReportSchedule.DoesNotExist:
        raise Http404("No such schedule.") from None
    messages.success(request, "Schedule resumed." if active else "Schedule paused.")
    return redirect("report-schedules")
