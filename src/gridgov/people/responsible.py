"""Who is responsible here now? A grid's own staff first, then the chain above it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridgov.people.models import Post
from gridgov.territory.models import Region


@dataclass(frozen=True)
class Responsible:
    name: str
    post: str
    post_en: str
    post_code: str
    phone: str
    region_code: str
    region_name: str
    level: int


def responsible_for(region: Region, on: dt.date | None = None) -> list[Responsible]:
    """Current holders of posts in the region and each region above it, nearest first."""
    chain_ids = region.ancestor_ids()
    depth = {rid: i for i, rid in enumerate(chain_ids)}
    posts = (
        Post.objects.current(on)
        .filter(region_id__in=chain_ids, post_type__responsible=True)
        .select_related("person", "post_type", "region")
    )
    ordered = sorted(
        posts,
        key=lambda p: (-depth[p.region_id], p.post_type.rank, p.person.name, p.person_id),
    )
    return [
        Responsible(
            name=p.person.name,
            post=p.post_type.name,
            post_en=p.post_type.name_en or p.post_type.name,
            post_code=p.post_type.code,
            phone=p.person.phone,
            region_code=p.region.code,
            region_name=p.region.name,
            level=p.region.level,
        )
        for p in ordered
    ]
