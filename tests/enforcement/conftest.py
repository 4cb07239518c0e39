"""Enforcement fixtures on the named territory (tests/conftest.py): a law enforcer of 东街道
(`s1_enforcer`, 执法甲), a second command-office account (`command2`, 副指挥长) for two-person
approval, a construction site in G1 and a restaurant in G3."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model

from gridgov.enforcement.models import LegalBasis
from gridgov.enforcement.services import CaseInput, open_case
from gridgov.sources.services import SourceInput, create_source, point_geometry
from tests.conftest import _person

CREDIT = "91350100M000100Y43"
PERSON_ID = "110101199003074514"


def png(colour=(200, 30, 30), exif: bool = False) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    img = Image.new("RGB", (64, 48), colour)
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "SecretCam"  # Make
        ex[0x8825] = {1: "N", 2: (35.0, 12.0, 0.0), 3: "E", 4: (113.0, 3.0, 0.0)}
        img.save(buf, "JPEG", exif=ex.tobytes())
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def enf(people, territory, users):
    """Accounts by username, plus `s1_enforcer` and `command2`."""
    _person("执法甲", "13900000011", "law_enforcer", territory["D-S1"], "s1_enforcer")
    _person("副指挥长", "13900000012", "command_office", territory["D"], "command2")
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def sites(territory):
    g1 = create_source(
        SourceInput(
            category="construction_site",
            name="东一花园二期工地",
            geometry=point_geometry(35.2, 113.05),
            attributes={"builder": "东一置业有限公司"},
        )
    )
    g3 = create_source(
        SourceInput(
            category="restaurant",
            name="西街老王烧烤",
            geometry=point_geometry(35.2, 113.3),
            address="西一社区幸福路8号",
        )
    )
    return {"g1": g1, "g3": g3}


def basis(article: str) -> LegalBasis:
    return LegalBasis.objects.get(article=article)


@pytest.fixture
def new_case(enf, sites):
    def _new(user="command", source="g1", now=None, **over):
        data = CaseInput(
            title="工地未落实扬尘防治措施",
            facts="裸土未苫盖，车辆未冲洗",
            party_kind="org",
            party_name="东一置业有限公司",
            party_code=CREDIT,
            party_phone="13912345678",
            source_id=sites[source].pk if source else None,
        )
        for key, value in over.items():
            setattr(data, key, value)
        return open_case(data, enf[user], now=now)

    return _new
