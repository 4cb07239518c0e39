"""<input type=date> takes only ISO dates (2026-12-02): a date field that renders in the
locale's format (zh-hans: 2026/12/02) shows empty in the browser, and its default is lost."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

from django import forms
from django.utils import translation

import gridgov


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.walk_packages(gridgov.__path__, "gridgov."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_every_declared_date_input_renders_iso():
    classes = _form_classes()
    assert len(classes) > 10
    wrong = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field.widget, forms.DateInput)
        and field.widget.input_type == "date"
        and field.widget.format != "%Y-%m-%d"
    ]
    assert not wrong, wrong


def test_a_date_renders_iso_in_chinese():
    from gridgov.centre.forms import PeriodForm

    with translation.override("zh-hans"):
        html = str(PeriodForm(initial={"start": dt.date(2026, 12, 2)})["start"])
    assert 'value="2026-12-02"' in html
