"""The command page's form: shapes only; the commands service checks the meaning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Zero or more files; each is checked by content later (commands.save_document)."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.pptx,image/*"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(DocumentsField, self).clean(f, initial) for f in files]


class CommandForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))
    due_at = forms.DateTimeField(
        label=_("完成时限"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    units = forms.MultipleChoiceField(label=_("接收单位"), required=False)
    documents = DocumentsField(label=_("附件"))

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(units)


class NoticeSettingsForm(forms.Form):
    """消息设置: a checkbox per kind of notice and channel, quiet hours, the daily digest."""

    quiet = forms.BooleanField(label=_("免打扰时段内非紧急消息延后发送"), required=False)
    quiet_from = forms.TimeField(
        label=_("免打扰开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_until = forms.TimeField(
        label=_("免打扰结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    digest = forms.BooleanField(label=_("非紧急消息每日汇总为一条"), required=False)
    digest_at = forms.TimeField(
        label=_("汇总发送时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(
        self, *args: Any, row: Any, kinds: Sequence[tuple[str, Any]], **kwargs: Any
    ) -> None:
        from gridgov.inbox.models import PERSON_CHANNELS, URGENT_KINDS
        from gridgov.inbox.preferences import default_channels

        initial = {
            "quiet": row.quiet,
            "quiet_from": row.quiet_from,
            "quiet_until": row.quiet_until,
            "digest": row.digest,
            "digest_at": row.digest_at,
        }
        chosen = row.channels or {}
        for kind, _label in kinds:
            now_on = chosen.get(kind, default_channels(kind))
            for c in PERSON_CHANNELS:
                initial[f"ch_{kind}_{c}"] = c in now_on
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for kind, label in kinds:
            for c in PERSON_CHANNELS:
                self.fields[f"ch_{kind}_{c}"] = forms.BooleanField(
                    label=f"{label} {c}", required=False
                )
        self.urgent = set(URGENT_KINDS)
