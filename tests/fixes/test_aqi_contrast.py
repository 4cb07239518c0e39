"""AQI chips: the number's text colour against every AQI level's colour (WCAG contrast ≥ 4.5:1),
read from the stylesheet the pages use, so a colour changed in one place is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridgov.air.aqi import LEVELS

CSS = Path(__file__).resolve().parents[2] / "src/gridgov/web/static/web/app.css"


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        pairs = (p.split(":", 1) for p in body.split(";") if ":" in p)
        props = {k.strip(): v.strip() for k, v in pairs}
        for selector in selectors.split(","):
            found.setdefault(selector.strip(), {}).update(props)
    return found


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ff0000") == pytest.approx(4.0, abs=0.01)


@pytest.mark.parametrize("level", range(7))
def test_chip_text_is_readable_on_every_level(level):
    css = rules()
    background = css[f".aqi-{level}"]["background"]
    text = css.get(f".chip.aqi-{level}", {}).get("color") or css[".chip"]["color"]
    assert contrast(text, background) >= 4.5, (level, text, background)


def test_stylesheet_colours_are_the_standard_ones():
    css = rules()
    for level in LEVELS:
        assert css[f".aqi-{level.number}"]["background"].lower() == level.hex
