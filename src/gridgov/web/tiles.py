"""The configured base layer (GRIDGOV_TILES_URL): checked once at start, and the exact hosts the
Content-Security-Policy must allow images from. Plain functions of strings, no Django, so that
settings.py can call them.

The URL is an XYZ template (`https://t{s}.example/{z}/{x}/{y}.png`) or a WMTS key-value URL with
the same placeholders (天地图: `https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile
&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}
&TILECOL={x}&tk=KEY`). `{s}` takes each of GRIDGOV_TILES_SUBDOMAINS in turn.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def check_url(url: str, subdomains: str) -> str:
    """The URL itself, or ValueError saying what is wrong with it."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("GRIDGOV_TILES_URL must be an http(s) URL")
    for placeholder in ("{z}", "{x}", "{y}"):
        if placeholder not in url:
            raise ValueError(f"GRIDGOV_TILES_URL needs the placeholder {placeholder}")
    if "{s}" in url and not subdomains:
        raise ValueError("GRIDGOV_TILES_URL uses {s}: set GRIDGOV_TILES_SUBDOMAINS (e.g. 01234567)")
    if "{s}" in parts.path + parts.query:
        raise ValueError("{s} may only stand in the host name of GRIDGOV_TILES_URL")
    return url


def subdomain_list(subdomains: str) -> list[str]:
    """ "abc" → a, b, c (Leaflet's form); "t0,t1" → t0, t1."""
    text = subdomains.strip()
    if "," in text:
        return [s.strip() for s in text.split(",") if s.strip()]
    return list(text)


def hosts(url: str, subdomains: str) -> list[str]:
    """The origins images come from (scheme://host[:port]), one per subdomain: the policy
    allows exactly those, never a wildcard."""
    if not url:
        return []
    parts = urlsplit(url)
    names = subdomain_list(subdomains) if "{s}" in parts.netloc else [""]
    return sorted({f"{parts.scheme}://{parts.netloc.replace('{s}', s)}" for s in names})
