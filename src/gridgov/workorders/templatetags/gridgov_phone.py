"""`{% phone_text %}`: the phone pages' translated messages for phone.js, as a
`<script type="application/json">` block (data, never run: the Content-Security-Policy allows
no inline script)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.crypto import salted_hmac
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
            # The offline queue (web/static/web/queue.js); {n}, {label}, {time}, {mb} are filled in.
            "queued": _("{n} 待上传"),
            "queued_offline": _("没有网络：「{label}」已存入待上传队列，有信号后自动上传"),
            "queue_full": _("待上传的照片已达 {mb} MB 上限，请等有信号上传后再提交"),
            "uploaded": _("已上传：{label}"),
            "stale": _("离线副本 · 更新于 {time}"),
            "state_waiting": _("待上传"),
            "state_sending": _("正在上传"),
            "state_conflict": _("冲突：工单已变化"),
            "state_refused": _("被退回"),
            "login_needed": _("登录已失效，请重新登录后自动上传"),
            "gone": _("该工单或案件已不存在，或已不由您办理"),
            "forbidden": _("您已无权提交此项（可能已转派他人）"),
            "server_trouble": _("服务器暂时无法处理，稍后自动重试"),
            "network_down": _("网络不通，稍后自动重试"),
            "attempts": _("已尝试 {n} 次"),
            "photos": _("{n} 张照片"),
            "retry": _("立即重试"),
            "discard": _("丢弃"),
            "discard_confirm": _("丢弃后该内容不会上传，确定丢弃？"),
            "queue_empty": _("没有待上传的内容"),
            "other_account": _("另有 {n} 项属于其他账号，登录该账号后上传"),
        },
        "phone-text",
    )


@register.simple_tag
def offline_budget() -> int:
    """The most photo bytes the phone keeps queued offline (GRIDGOV_OFFLINE_QUEUE_MB)."""
    return int(settings.GRIDGOV_OFFLINE_QUEUE_MB) * 1024 * 1024


@register.simple_tag(takes_context=True)
def page_cache_id(context: template.Context) -> str:
    """An opaque id of the signed-in account for the service worker's page cache (one cache
    per account, web/templates/web/sw.js): a keyed hash, never the username or the id itself."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return salted_hmac("gridgov.phone.page-cache", str(user.pk)).hexdigest()[:20]
