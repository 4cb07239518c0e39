"""Forms of the work-order pages (desk, phone, public). Validation of meaning stays in
services.py; these check shapes and turn fields into typed values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gridgov.inputs import INT_MAX
from gridgov.workorders.models import Category, Priority, Source
from gridgov.workorders.states import ACTIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos; each is checked by content later (attachments.save_photo)."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


def category_choices(public_only: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    qs = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    if public_only:
        qs = qs.filter(public=True)
    english = (get_language() or "").startswith("en")

    def name(c: Category | None) -> str:
        if c is None:
            return ""
        return str(c.name_en if english and c.name_en else c.name)

    for c in qs.order_by("parent__sort_order", "sort_order"):
        groups.setdefault(name(c.parent), []).append((c.code, name(c)))
    return list(groups.items())


class LocatedForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"))
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("描述"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("照片"))
    public_only = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *category_choices(self.public_only)]

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = Category.objects.filter(code=code, active=True, parent__isnull=False).first()
        if category is None or (self.public_only and not category.public):
            raise forms.ValidationError(_("请选择类别"))
        return category


class DeskEventForm(LocatedForm):
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (s.value, s.label)
            for s in (Source.HOTLINE, Source.PATROL, Source.COMMAND, Source.INSPECTION)
        ],
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    priority = forms.TypedChoiceField(
        label=_("紧急程度"),
        choices=[("", _("按类别默认")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    contact_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class PhoneReportForm(LocatedForm):
    """The grid worker's three taps: category, place (from the phone), send. Internal
    categories (air alarms, station faults) are raised by the monitoring, not by hand."""

    public_only = True

    submission = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    handled_on_spot = forms.BooleanField(label=_("已就地处置"), required=False)
    handling_note = forms.CharField(
        label=_("处置情况"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    after_photos = PhotosField(label=_("处置后照片"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("handled_on_spot"):
            if not (data.get("handling_note") or "").strip():
                self.add_error("handling_note", _("已就地处置，请填写处置情况"))
        elif data.get("after_photos"):
            self.add_error("after_photos", _("处置后照片仅用于就地处置的上报"))
        return data


PUBLIC_MAX_PHOTOS = 3


class PublicReportForm(LocatedForm):
    public_only = True
    lat = forms.FloatField(
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
        error_messages={"required": _("请在地图上选择位置")},
    )
    lon = forms.FloatField(
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
        error_messages={"required": _("请在地图上选择位置")},
    )
    contact_phone = forms.CharField(
        label=_("联系电话（选填，仅工作人员可见）"), max_length=20, required=False
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # a bots' honeypot

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > PUBLIC_MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)d 张照片") % {"n": PUBLIC_MAX_PHOTOS})
        return list(photos)

    def clean_description(self) -> str:
        text = self.cleaned_data.get("description", "").strip()
        if len(text) < 4:
            raise forms.ValidationError(_("请简要描述问题（至少4个字）"))
        return text


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(code, a.label) for code, a in ACTIONS.items()])
    note = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.IntegerField(required=False, min_value=1, max_value=INT_MAX)
    until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    photos = PhotosField()
    source_id = forms.IntegerField(required=False, min_value=1, max_value=INT_MAX)
