"""GeoJSON geometry schemas of the API (regions, grids, the centre's map)."""

from typing import Literal

from ninja import Field

from gridgov.schemas import Schema


class PolygonOut(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(description="rings of [lon, lat], WGS84")


class MultiPolygonOut(Schema):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[list[float]]]]


Geometry = PolygonOut | MultiPolygonOut
