"""The source form of each category, generated from the category's schema: choices become selects
with Chinese labels, booleans checkboxes, lists of choices checkboxes, dates date inputs. The
form only parses; the checks are the services' (their errors are put on the fields they name)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import SourceError, SourceInput

ATTR = "attr_"


def _field(spec: categories.FieldSpec) -> forms.Field:
    label = spec.label
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=label, choices=[(c, spec.choice_label(c)) for c in spec.choices], required=False
        )
    if spec.kind == "choices":
        return forms.MultipleChoiceField(
            label=label,
            choices=[(c, spec.choice_label(c)) for c in spec.choices],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    if spec.kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if spec.kind == "int":
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=int(spec.low) if spec.low is not None else inputs.INT_MIN,
            max_value=int(spec.high) if spec.high is not None else inputs.INT_MAX,
        )
    if spec.kind == "float":
        return forms.FloatField(
            label=label, required=False, min_value=spec.low, max_value=spec.high
        )
    if spec.kind == "date":
        return forms.DateField(
            label=label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if spec.kind in ("dates", "texts"):
        help_text = _("多个用逗号分隔") if spec.kind == "texts" else _("YYYY-MM-DD，多个用逗号分隔")
        return forms.CharField(label=label, required=False, max_length=2000, help_text=help_text)
    return forms.CharField(label=label, required=spec.required, max_length=spec.max_length)


class SourceForm(forms.Form):
    """Build with `SourceForm(category, user, data, instance=…)`; `source_input()` after
    `is_valid()`; `add_service_error(exc)` puts a SourceError/InputError on its field."""

    code = forms.CharField(
        label=_("编号"), max_length=24, required=False, help_text=_("留空则自动编号")
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    geometry = forms.CharField(
        label=_("位置(GeoJSON)"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("线或面的 GeoJSON 几何（WGS84）；点位可只填经纬度"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=Status.choices)
    responsible_post = forms.TypedChoiceField(
        label=_("指定责任岗位"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("留空则由所属网格的责任人负责"),
    )
    notes = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("修改说明"), required=False, max_length=200)

    def __init__(
        self,
        category: str,
        user: Account,
        *args: Any,
        instance: PollutionSource | None = None,
        **kw: Any,
    ) -> None:
        self.category = categories.check_category(category).value
        self.instance = instance
        self.specs = categories.field_specs(self.category)
        if instance is not None and not args and "initial" not in kw:
            kw["initial"] = self.initial_from(instance)
        super().__init__(*args, **kw)
        if instance is not None:
            del self.fields["code"]
        else:
            del self.fields["note"]
        self.geometry_kind = categories.geometry_kind(self.category)
        if self.geometry_kind != "point":
            del self.fields["lat"]
            del self.fields["lon"]
        posts = (
            scope.posts_for(user, Post.objects.current())
            .filter(post_type__responsible=True)
            .select_related("person", "post_type", "region")
            .order_by("region__path", "post_type__rank")
        )
        choices: list[tuple[Any, Any]] = [("", _("所属网格的责任人"))]
        choices += [
            (p.pk, f"{p.region.name} · {p.post_type.name} · {p.person.name}") for p in posts
        ]
        current = instance.responsible_post if instance is not None else None
        if current is not None and current.pk not in {c[0] for c in choices}:
            choices.append((current.pk, f"{current.region.name} · {current.post_type.name}"))
        self.fields["responsible_post"].choices = choices  # type: ignore[attr-defined]
        for spec in self.specs:
            self.fields[ATTR + spec.name] = _field(spec)
            if instance is None and spec.default not in (None, "", []):
                self.fields[ATTR + spec.name].initial = (
                    ", ".join(spec.default) if spec.kind in ("texts", "dates") else spec.default
                )
        if instance is None:
            self.fields["status"].initial = Status.ACTIVE

    # -- layout helpers for the template
    def shared_fields(self) -> list[Any]:
        names = ["code", "name", "address", "status", "responsible_post", "notes", "note"]
        return [self[n] for n in names if n in self.fields]

    def attribute_fields(self) -> list[Any]:
        return [self[ATTR + s.name] for s in self.specs]

    def initial_from(self, source: PollutionSource) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": source.name,
            "address": source.address,
            "status": source.status,
            "responsible_post": source.responsible_post_id,
            "notes": source.notes,
        }
        if source.geometry.get("type") == "Point":
            initial["lon"], initial["lat"] = source.geometry["coordinates"][:2]
        else:
            initial["geometry"] = json.dumps(source.geometry)
        for spec in categories.field_specs(source.category):
            value = source.attributes.get(spec.name)
            if spec.kind in ("texts", "dates") and isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            initial[ATTR + spec.name] = value
        return initial

    def clean_geometry(self) -> Any:
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return None
        try:
            parsed = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("不是有效的 GeoJSON")) from None
        if isinstance(parsed, dict) and parsed.get("type") == "Feature":
            parsed = parsed.get("geometry")
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_("不是有效的 GeoJSON 几何"))
        problems = inputs.json_problems(parsed, 1)
        if problems:
            raise forms.ValidationError(problems[0].message)
        return parsed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        geometry = data.get("geometry")
        lat, lon = data.get("lat"), data.get("lon")
        if geometry is None and "geometry" not in self.errors:
            if "lat" in self.fields and (lat is None or lon is None):
                if "lat" not in self.errors and "lon" not in self.errors:
                    self.add_error("lat", _("请填写经纬度，或在地图上点选"))
            elif "lat" not in self.fields:
                self.add_error("geometry", _("请填写 GeoJSON 几何"))
        return data

    def source_input(self) -> SourceInput:
        d = self.cleaned_data
        geometry = d.get("geometry")
        if geometry is None:
            geometry = {"type": "Point", "coordinates": [round(d["lon"], 7), round(d["lat"], 7)]}
        attributes: dict[str, Any] = {}
        for spec in self.specs:
            value = d.get(ATTR + spec.name)
            if spec.kind in ("texts", "dates"):
                value = [
                    p.strip() for p in (value or "").replace("，", ",").split(",") if p.strip()
                ]
            elif spec.kind == "date":
                value = value.isoformat() if value else None
            elif value is None or (value == "" and spec.kind == "choice"):
                continue
            attributes[spec.name] = value
        return SourceInput(
            category=self.category,
            name=d["name"],
            geometry=geometry,
            attributes=attributes,
            address=d.get("address") or "",
            code=(d.get("code") or "") if self.instance is None else self.instance.code,
            status=d["status"],
            responsible_post_id=d.get("responsible_post"),
            notes=d.get("notes") or "",
        )

    def add_service_error(self, exc: SourceError | inputs.InputError) -> None:
        name = exc.field
        if name.startswith("attributes."):
            name = ATTR + name.split(".")[1]
        elif name == "geometry" and "lat" in self.fields and not self.cleaned_data.get("geometry"):
            name = "lat"  # the point came from the lat/lon inputs
        elif name in ("lat", "lon") and "lat" not in self.fields:
            name = "geometry"
        self.add_error(name if name in self.fields else None, exc.message)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Status.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    version = forms.IntegerField(min_value=0, max_value=inputs.INT_MAX, widget=forms.HiddenInput)


class FileForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("photo", _("照片")), ("document", _("PDF文件"))]
    )
    title = forms.CharField(label=_("标题"), required=False, max_length=100)
    file = forms.FileField(label=_("文件"))
