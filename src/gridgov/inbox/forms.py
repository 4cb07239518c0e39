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
