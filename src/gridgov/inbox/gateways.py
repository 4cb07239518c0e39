"""The gateways a delivery goes through: an HTTP SMS gateway (as Chinese providers work: a
signed request from a template), WeCom (企业微信) and DingTalk (钉钉) group robots, and e-mail.

Each `send_*` returns the provider's message id ("" when it gives none) or raises `SendFailed`
with the reason; the caller decides about retries. Plain urllib: no dependency for four POSTs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail


class SendFailed(Exception):
    """A message not accepted: a network fault, a timeout, an HTTP error, a provider's refusal."""


def _http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    if not url.startswith(("http://", "https://")):
        raise SendFailed(f"not an http(s) address: {url[:40]}")
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (checked above)
    if body is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.GRIDGOV_NOTIFY_TIMEOUT
        ) as answer:
            return answer.status, answer.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code}") from None
    except TimeoutError:
        raise SendFailed("timeout") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise SendFailed("timeout") from None
        raise SendFailed(f"network: {reason}") from None


def _field(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendFailed("answer is not JSON") from None


def sms_signature(key: str, timestamp: str, phone: str, text: str) -> str:
    """The {signature} placeholder: hex HMAC-SHA256 of "timestamp\\nphone\\ntext" with the key."""
    message = f"{timestamp}\n{phone}\n{text}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _encoded(value: str, method: str) -> str:
    """A value as its place in the template needs it: URL-encoded in a query, else JSON-escaped
    (the template puts the quotes)."""
    if method == "GET":
        return urllib.parse.quote(value)
    return json.dumps(value, ensure_ascii=False)[1:-1]


def sms_request(phone: str, text: str, now: float | None = None) -> tuple[str, str, bytes | None]:
    """(method, url, body) of the gateway request: the template with each placeholder filled,
    JSON-escaped in a POST body, URL-encoded in a GET query."""
    timestamp = str(int(now if now is not None else time.time()))
    values = {
        "phone": phone,
        "text": text,
        "sign": settings.GRIDGOV_SMS_SIGN,
        "key": settings.GRIDGOV_SMS_KEY,
        "timestamp": timestamp,
        "signature": sms_signature(settings.GRIDGOV_SMS_KEY, timestamp, phone, text),
    }
    method = settings.GRIDGOV_SMS_METHOD
    filled = settings.GRIDGOV_SMS_TEMPLATE
    for name, value in values.items():
        filled = filled.replace("{" + name + "}", _encoded(value, method))
    url = settings.GRIDGOV_SMS_URL
    if method == "GET":
        return method, url + ("&" if "?" in url else "?") + filled, None
    return method, url, filled.encode()


def send_sms(phone: str, text: str) -> str:
    if not settings.GRIDGOV_SMS_URL:
        raise SendFailed("SMS gateway not configured")
    method, url, body = sms_request(phone, text)
    status, raw = _http(method, url, body)
    if not 200 <= status < 300:
        raise SendFailed(f"HTTP {status}")
    ok_field = settings.GRIDGOV_SMS_OK_FIELD
    if not ok_field:
        return ""
    data = _json(raw)
    got = _field(data, ok_field)
    if str(got) != settings.GRIDGOV_SMS_OK_VALUE:
        message = _field(data, "message") or _field(data, "msg") or ""
        raise SendFailed(f"provider {ok_field}={got} {message}".strip()[:300])
    ident = _field(data, settings.GRIDGOV_SMS_ID_FIELD) if settings.GRIDGOV_SMS_ID_FIELD else ""
    return str(ident or "")[:100]


def _robot_answer(status: int, raw: bytes) -> str:
    if not 200 <= status < 300:
        raise SendFailed(f"HTTP {status}")
    data = _json(raw)
    code = _field(data, "errcode")
    if code not in (0, "0"):
        raise SendFailed(f"errcode={code} {_field(data, 'errmsg') or ''}".strip()[:300])
    return str(_field(data, "msgid") or "")[:100]


def send_wecom(webhook: str, text: str) -> str:
    """企业微信群机器人: a text message to the group's webhook."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
    return _robot_answer(*_http("POST", webhook, body.encode()))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: base64 of HMAC-SHA256("timestamp\\nsecret") keyed with the secret (URL-quoted
    by the caller)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def send_dingtalk(webhook: str, secret: str, text: str, now: float | None = None) -> str:
    """钉钉群机器人: a text message; with a secret, the URL carries timestamp and sign."""
    url = webhook
    if secret:
        ts = int((now if now is not None else time.time()) * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(secret, ts))
        url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
    return _robot_answer(*_http("POST", url, body.encode()))


def send_email(address: str, subject: str, text: str) -> str:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception as exc:  # SMTP and socket errors alike
        raise SendFailed(f"mail: {exc}"[:300]) from None
    return ""
