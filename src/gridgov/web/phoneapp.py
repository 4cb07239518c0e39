"""网格通, the phone pages as an installable app (PWA): the web app manifest and the service
worker's script. The worker is served from the site's root so that its scope covers every
phone page (/orders/m/…, /m/inspect/…, /mediation/m/…); it touches only those pages and the
static files, everything else goes to the network as if it were not there."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

# The app shell: cached when the worker installs, then served from the cache and refreshed.
SHELL = (
    "workorders/phone.css",
    "workorders/icons.css",
    "workorders/phone.js",
    "workorders/report.css",
    "workorders/report.js",
    "workorders/pinmap.js",
    "workorders/photopreview.js",
    "emergency/banner.css",
    "inspections/inspect.css",
    "inspections/inspect.js",
    "mediation/mediation.css",
    "web/queue.js",
    "web/basemap.css",
    "web/basemap.js",
    "web/favicon.svg",
    "web/app-icon.svg",
    "web/app-icon-192.png",
    "web/app-icon-512.png",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
)

# The phone pages kept for offline use (network first, the last copy when there is none).
PAGES = (
    r"^/orders/m/(report/|queue/|\d+/)?$",
    r"^/m/inspect/(\d+/)?$",
    r"^/mediation/m/(followups/(\d+/)?|new/)$",
)


def shell_urls() -> list[str]:
    return [static(name) for name in SHELL]


def worker_context() -> dict[str, object]:
    """What the worker's template needs; its version changes with the shell's URLs (hashed
    names in production) and the queue's code, so an update replaces the old caches."""
    urls = shell_urls()
    version = hashlib.sha256("\n".join([*urls, *PAGES, settings.STATIC_URL]).encode()).hexdigest()
    return {
        "version": version[:12],
        "shell": urls,
        "pages": list(PAGES),
        "static_prefix": settings.STATIC_URL,
        "login": reverse("web:login"),
        "logout": reverse("web:logout"),
    }


def manifest() -> dict[str, object]:
    home = reverse("workorders:phone")
    return {
        "name": _("网格通 · 网格员"),
        "short_name": _("网格通"),
        "description": _("网格员、巡查员的手机端：任务、上报、检查、回访，无信号时也能用"),
        "lang": "zh-CN",
        "start_url": home,
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b8281e",
        "icons": [
            {"src": static("web/app-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("web/app-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {
                "src": static("web/app-icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
        ],
    }
