"""The settings pages: directors manage what only the Django admin could change before.

Every page is the directors' (`settings_gate` refuses the others with 403 before anything is
read); every POST is one service of the app that owns the setting, which checks the role again
and writes the audit row.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from kanban import policies
from kanban.selectors import entry_policy_rows, wip_limit_list
from orgsettings.forms import (
    DisplaySettingsForm,
    EntryPolicyForm,
    PayloadPreviewForm,
    QuarterForm,
    SourceRuleForm,
    StatusMappingForm,
    UserForm,
    ValueStreamForm,
    WipLimitForm,
)
from portfolio.models import Quarter, SourceRule, StatusMapping, ValueStream
from portfolio.selectors.settings import (
    dora_vintages,
    org_settings,
    setting_changes,
    settings_quarters,
    settings_source_rules,
    settings_status_mappings,
    settings_users,
    settings_value_streams,
)
from portfolio.services import settings as portfolio_settings
from portfolio.services.ingestion import PayloadInvalid
from portfolio.services.settings import settings_gate
from vmo.services.users import USER_FIELDS, user_save
from vmo.sso import sso_enabled


def _post(request, *, form, write: Callable, page: Callable, message: Callable, to: str):
    """Parse the form, call one service, then post/redirect/get; a refusal shows the form again."""
    if not form.is_valid():
        return page(status=400)
    try:
        result = write(form.cleaned_data)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            form.add_error(name if name in form.fields else None, errors)
        return page(status=400)
    messages.success(request, message(result))
    return redirect(to)


def settings_home(request):
    settings_gate(request.user)
    return render(request, "orgsettings/home.html", {"changes": setting_changes()[:50]})


def value_stream_index(request):
    settings_gate(request.user)
    form = ValueStreamForm(request.POST or None)

    def page(status=200):
        context = {"value_streams": settings_value_streams(), "form": form}
        return render(request, "orgsettings/value_streams.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.value_stream_save(user=request.user, **data),
        page=page,
        message=lambda vs: f"Value stream {vs.name} added.",
        to="settings-value-streams",
    )


def value_stream_edit(request, value_stream_id: int):
    settings_gate(request.user)
    value_stream = get_object_or_404(ValueStream, pk=value_stream_id)
    initial = {name: getattr(value_stream, name) for name in portfolio_settings.VALUE_STREAM_FIELDS}
    initial["managers"] = list(value_stream.managers.all())
    form = ValueStreamForm(request.POST or None, initial=initial)

    def page(status=200):
        context = {"object": value_stream, "form": form, "title": f"Value stream {value_stream.name}"}
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.value_stream_save(user=request.user, value_stream=value_stream, **data),
        page=page,
        message=lambda vs: f"Value stream {vs.name} saved.",
        to="settings-value-streams",
    )


def quarter_index(request):
    settings_gate(request.user)
    form = QuarterForm(request.POST or None)

    def page(status=200):
        return render(
            request, "orgsettings/quarters.html", {"quarters": settings_quarters(), "form": form}, status=status
        )

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.quarter_save(user=request.user, **data),
        page=page,
        message=lambda q: f"Quarter {q.code} added.",
        to="settings-quarters",
    )


def quarter_edit(request, quarter_id: int):
    settings_gate(request.user)
    quarter = get_object_or_404(Quarter, pk=quarter_id)
    initial = {name: getattr(quarter, name) for name in portfolio_settings.QUARTER_FIELDS}
    form = QuarterForm(request.POST or None, initial=initial)

    def page(status=200):
        context = {"object": quarter, "form": form, "title": f"Quarter {quarter.code}"}
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.quarter_save(user=request.user, quarter=quarter, **data),
        page=page,
        message=lambda q: f"Quarter {q.code} saved.",
        to="settings-quarters",
    )


def kanban_rules(request):
    """WIP limits and entry-policy options per column: two forms, each one service."""
    settings_gate(request.user)
    rows = entry_policy_rows()
    action = request.POST.get("form") if request.method == "POST" else None
    wip_form = WipLimitForm(request.POST if action == "wip" else None)
    policy_form = EntryPolicyForm(request.POST if action == "policy" else None, rows=rows)

    def page(status=200):
        context = {"limits": wip_limit_list(), "wip_form": wip_form, "policy_form": policy_form}
        return render(request, "orgsettings/kanban.html", context, status=status)

    if action == "wip":
        return _post(
            request,
            form=wip_form,
            write=lambda data: policies.wip_limit_set(user=request.user, **data),
            page=page,
            message=lambda _row: "WIP limit saved.",
            to="settings-kanban",
        )
    if action == "policy":
        return _post(
            request,
            form=policy_form,
            write=lambda _data: policies.entry_policies_set(user=request.user, required=policy_form.required()),
            page=page,
            message=lambda changed: f"Entry policies saved ({changed} changed).",
            to="settings-kanban",
        )
    return page(status=400 if request.method == "POST" else 200)


def display_settings(request):
    """Currency label and DORA benchmark vintage."""
    settings_gate(request.user)
    row = org_settings()
    initial = {name: getattr(row, name) for name in portfolio_settings.ORG_SETTINGS_FIELDS}
    form = DisplaySettingsForm(
        request.POST or None, initial=initial, vintages=dora_vintages(), default_vintage=settings.DORA_BENCHMARK
    )

    def page(status=200):
        context = {"form": form, "title": "Display settings", "default_currency": settings.CURRENCY}
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.org_settings_update(user=request.user, **data),
        page=page,
        message=lambda _row: "Display settings saved.",
        to="settings-display",
    )


def sources(request):
    """Webhook source rules and status mappings, with "test this payload"."""
    settings_gate(request.user)
    action = request.POST.get("form") if request.method == "POST" else None
    rule_form = SourceRuleForm(request.POST if action == "rule" else None)
    mapping_form = StatusMappingForm(request.POST if action == "mapping" else None)
    preview_form = PayloadPreviewForm(request.POST if action == "preview" else None)
    preview = None

    def page(status=200):
        context = {
            "rules": settings_source_rules(),
            "mappings": settings_status_mappings(),
            "rule_form": rule_form,
            "mapping_form": mapping_form,
            "preview_form": preview_form,
            "preview": preview,
        }
        return render(request, "orgsettings/sources.html", context, status=status)

    if action == "rule":
        return _post(
            request,
            form=rule_form,
            write=lambda data: portfolio_settings.source_rule_save(user=request.user, **data),
            page=page,
            message=lambda result: f"Rule {result[0].pattern} added; {result[1]} parked deliveries replayed.",
            to="settings-sources",
        )
    if action == "mapping":
        return _post(
            request,
            form=mapping_form,
            write=lambda data: portfolio_settings.status_mapping_save(user=request.user, **data),
            page=page,
            message=lambda m: f"Status {m.tool_status} now maps to {m.get_flow_status_display()}.",
            to="settings-sources",
        )
    if action == "preview":
        # A preview writes nothing: the answer is the page itself, not a redirect.
        if not preview_form.is_valid():
            return page(status=400)
        try:
            preview = portfolio_settings.webhook_payload_preview(user=request.user, **preview_form.cleaned_data)
        except PayloadInvalid as exc:
            for path, message in exc.errors.items():
                preview_form.add_error("payload", f"{path}: {message}")
            return page(status=400)
        except ValidationError as exc:
            preview_form.add_error(None, exc)
            return page(status=400)
        return page()
    return page(status=400 if request.method == "POST" else 200)


def source_rule_edit(request, rule_id: int):
    settings_gate(request.user)
    rule = get_object_or_404(SourceRule, pk=rule_id)
    if request.method == "POST" and request.POST.get("delete"):
        portfolio_settings.source_rule_delete(user=request.user, rule=rule)
        messages.success(request, f"Rule {rule.pattern} removed.")
        return redirect("settings-sources")
    initial = {"source": rule.source, "pattern": rule.pattern, "value_stream": rule.value_stream_id}
    initial["reports_incidents"] = rule.reports_incidents
    form = SourceRuleForm(request.POST or None, initial=initial)

    def page(status=200):
        context = {"object": rule, "form": form, "title": f"Source rule {rule.pattern}", "deletable": True}
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.source_rule_save(user=request.user, rule=rule, **data),
        page=page,
        message=lambda result: f"Rule {result[0].pattern} saved.",
        to="settings-sources",
    )


def status_mapping_edit(request, mapping_id: int):
    settings_gate(request.user)
    mapping = get_object_or_404(StatusMapping, pk=mapping_id)
    if request.method == "POST" and request.POST.get("delete"):
        portfolio_settings.status_mapping_delete(user=request.user, mapping=mapping)
        messages.success(request, f"Mapping of {mapping.tool_status} removed.")
        return redirect("settings-sources")
    initial = {name: getattr(mapping, name) for name in portfolio_settings.STATUS_MAPPING_FIELDS}
    form = StatusMappingForm(request.POST or None, initial=initial)

    def page(status=200):
        context = {"object": mapping, "form": form, "title": f"Status mapping {mapping.tool_status}", "deletable": True}
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: portfolio_settings.status_mapping_save(user=request.user, mapping=mapping, **data),
        page=page,
        message=lambda m: f"Mapping of {m.tool_status} saved.",
        to="settings-sources",
    )


def user_index(request):
    settings_gate(request.user)
    form = UserForm(request.POST or None)

    def page(status=200):
        context = {"users": settings_users(), "form": form, "sso_enabled": sso_enabled()}
        return render(request, "orgsettings/users.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: user_save(user=request.user, **data),
        page=page,
        message=lambda u: f"User {u.username} added.",
        to="settings-users",
    )


SSO_ROLES_NOTE = (
    "Single sign-on is on: at each login this user's roles are set from their identity provider's groups, "
    "so a role changed here lasts only until their next login."
)


def user_edit(request, user_id: int):
    settings_gate(request.user)
    target = get_object_or_404(get_user_model().objects.prefetch_related("groups"), pk=user_id)
    initial = {name: getattr(target, name) for name in USER_FIELDS}
    initial["roles"] = [group.name for group in target.groups.all()]
    form = UserForm(request.POST or None, initial=initial)

    def page(status=200):
        context = {"object": target, "form": form, "title": f"User {target.username}"}
        if sso_enabled():
            context["note"] = SSO_ROLES_NOTE
        return render(request, "orgsettings/edit.html", context, status=status)

    if request.method != "POST":
        return page()
    return _post(
        request,
        form=form,
        write=lambda data: user_save(user=request.user, target=target, **data),
        page=page,
        message=lambda u: f"User {u.username} saved.",
        to="settings-users",
    )
