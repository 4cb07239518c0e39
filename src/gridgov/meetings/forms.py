from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov import inputs
from gridgov.meetings import services
from gridgov.meetings.models import Kind

Choices = list[tuple[str, str]]


def _multi(label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=services.MAX_TITLE)
    kind = forms.ChoiceField(label=_("会议类型"), choices=Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("会议时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("会议地点"), max_length=services.MAX_PLACE)
    convener = forms.ChoiceField(label=_("召集单位"))
    chair = forms.ChoiceField(label=_("主持人"), required=False)
    attend_units = _multi(_("出席单位"))
    attend_people = _multi(_("出席人员"))
    sit_in_units = _multi(_("列席单位"))
    sit_in_people = _multi(_("列席人员"))
    agenda = forms.CharField(
        label=_("会议议程（每行一项）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    summary = forms.CharField(
        label=_("会议概况（可空，空则自动生成）"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    previous = forms.ChoiceField(label=_("上次会议"), required=False)

    def __init__(
        self,
        *args: Any,
        units: Choices,
        people: Choices,
        meetings: Choices,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["convener"].choices = units  # type: ignore[attr-defined]
        self.fields["chair"].choices = [("", "—"), *people]  # type: ignore[attr-defined]
        for name in ("attend_units", "sit_in_units"):
            self.fields[name].choices = units  # type: ignore[attr-defined]
        for name in ("attend_people", "sit_in_people"):
            self.fields[name].choices = people  # type: ignore[attr-defined]
        self.fields["previous"].choices = [("", _("自动（同一单位的上一次同类会议）")), *meetings]  # type: ignore[attr-defined]

    def to_input(
        self, keep: dict[tuple[str, str], services.AttendeeInput] | None = None
    ) -> services.MeetingInput:
        """The service's input; `keep`: attendance already recorded, by (kind, key)."""
        d = self.cleaned_data
        keep = keep or {}
        attendees: list[services.AttendeeInput] = []
        for role, units, people in (
            ("attend", d["attend_units"], d["attend_people"]),
            ("sit_in", d["sit_in_units"], d["sit_in_people"]),
        ):
            for code in units:
                old = keep.get(("u", code))
                attendees.append(
                    services.AttendeeInput(
                        unit=code,
                        role=role,
                        presence=old.presence if old else "present",
                        note=old.note if old else "",
                    )
                )
            for pid in inputs.parse_ids(f"{role}_people", people):
                old = keep.get(("p", str(pid)))
                attendees.append(
                    services.AttendeeInput(
                        person=pid,
                        role=role,
                        presence=old.presence if old else "present",
                        note=old.note if old else "",
                    )
                )
        previous = inputs.parse_ids("previous", [d["previous"]])[0] if d["previous"] else None
        return services.MeetingInput(
            title=d["title"],
            kind=d["kind"],
            starts_at=d["starts_at"],
            place=d["place"],
            convener=d["convener"],
            chair=inputs.parse_ids("chair", [d["chair"]])[0] if d["chair"] else None,
            summary=d["summary"],
            agenda=[line.strip() for line in d["agenda"].splitlines() if line.strip()],
            attendees=attendees,
            previous=previous,
        )


class StatementForm(forms.Form):
    unit = forms.ChoiceField(label=_("发言单位"))
    speaker = forms.ChoiceField(label=_("发言人"), required=False)
    text = forms.CharField(
        label=_("发言内容"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    commitments = forms.CharField(
        label=_("承诺事项（每行一项，可在竖线后写时限：内容 | 2026-12-15）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, units: Choices, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["speaker"].choices = [("", "—"), *people]  # type: ignore[attr-defined]

    def commitment_inputs(self) -> list[services.CommitmentInput]:
        out = []
        for i, line in enumerate(self.cleaned_data["commitments"].splitlines()):
            if not line.strip():
                continue
            text, _sep, when = line.partition("|")
            deadline: dt.date | None = None
            if when.strip():
                deadline = inputs.parse_date(f"commitments[{i}]", when, years=inputs.ANY_YEARS)
            out.append(services.CommitmentInput(text.strip(), deadline))
        return out


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("议定内容"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    owners = forms.MultipleChoiceField(
        label=_("责任单位"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    deadline = forms.DateField(
        label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owners"].choices = units  # type: ignore[attr-defined]
