"""The pages of real messages: the delivery log (投递记录, the command office's) and a person's
message settings (消息设置, desktop and phone). Thin: `deliverylog` and `preferences` work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.errors import DomainError
from gridgov.inbox import deliverylog, preferences
from gridgov.inbox.forms import NoticeSettingsForm
from gridgov.inbox.models import PERSON_CHANNELS, Channel, Delivery, Notification
from gridgov.people.actor import person_of


@login_required
def deliveries_page(request: HttpRequest) -> HttpResponse:
    if not deliverylog.can_view(request.user):
        raise Http404
    state = request.GET.get("state", "")
    channel = request.GET.get("channel", "")
    inputs.check_query_value("state", state)
    inputs.check_query_value("channel", channel)
    log = deliverylog.read(request.user, state=state, channel=channel)
    return render(
        request,
        "inbox/deliveries.html",
        {
            "log": log,
            "state": state,
            "channel": channel,
            "states": [
                (value, label, log.counts.get(value, 0)) for value, label in Delivery.State.choices
            ],
            "channels": Channel.choices,
        },
    )


def _settings(request: HttpRequest, template: str, again: str) -> HttpResponse:
    person = person_of(request.user)
    if person is None:
        raise Http404
    row = preferences.row_for(person)
    kinds = Notification.Kind.choices
    form = NoticeSettingsForm(request.POST or None, row=row, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            preferences.save(
                person,
                channels={
                    k: [c for c in PERSON_CHANNELS if d[f"ch_{k}_{c}"]] for k, _label in kinds
                },
                quiet=d["quiet"],
                quiet_from=d["quiet_from"],
                quiet_until=d["quiet_until"],
                digest=d["digest"],
                digest_at=d["digest_at"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("消息设置已保存"))
            return redirect(again)
    grid = [
        (k, label, [form[f"ch_{k}_{c}"] for c in PERSON_CHANNELS], k in form.urgent)
        for k, label in kinds
    ]
    channel_labels = [Channel(c).label for c in PERSON_CHANNELS]
    return render(request, template, {"form": form, "grid": grid, "channel_labels": channel_labels})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request, "inbox/settings.html", "inbox:settings")


@login_required
def phone_settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request, "inbox/phone_settings.html", "inbox:phone_settings")
