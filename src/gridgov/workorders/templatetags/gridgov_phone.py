"""`{% phone_text %}`: the phone pages' translated messages for phone.js, as a
`<script type="application/json">` block (data, never run: the Content-Security-Policy allows
no inline script)."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def phone_text() -> SafeString:
    return json_script(
        {
            "pending": _("网络不通，内容已保存，将自动重试发送…"),
            "restored": _("已恢复上次未发送的内容"),
            "sending": _("正在发送…"),
            "located": _("已定位"),
            "nolocation": _("无法获取位置，请打开定位或稍后再试"),
            "locating": _("正在定位…"),
        },
        "phone-text",
    )
