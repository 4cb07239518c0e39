"""Demo order titles name the whole grid (no word cut in half) and the category."""

from __future__ import annotations

from gridgov.demo.orders import TITLE_LIMIT, order_title


def test_title_has_the_whole_grid_name_and_the_category():
    assert order_title("民生社区第1网格", "建筑工地扬尘") == "民生社区第1网格：建筑工地扬尘"
    long_grid = "阳庙镇大赵村第12网格（北部工业园区及周边农田）"
    title = order_title(long_grid, "秸秆焚烧")
    assert title.startswith(long_grid) and title.endswith("秸秆焚烧")


def test_a_grid_name_too_long_to_fit_is_left_out_not_cut():
    for n in (100, 114, 115, 116, 119, 120, 200):
        grid = "北" * (n - 4) + "第1网格"
        title = order_title(grid, "道路扬尘")
        assert len(title) <= TITLE_LIMIT
        assert title == f"{grid}：道路扬尘" or title == "道路扬尘"
        assert (grid in title) == (len(grid) + 5 <= TITLE_LIMIT)


def test_every_demo_grid_with_every_category_gets_its_whole_name(db):
    from gridgov.demo.generator import build_territory
    from gridgov.territory.models import Level
    from gridgov.workorders.models import Category

    specs, _ = build_territory(2026)
    grids = [s.name for s in specs if s.level == Level.GRID]
    assert len(grids) == 819
    categories = list(Category.objects.values_list("name", flat=True))
    assert categories
    for grid in grids:
        for name in categories:
            assert order_title(grid, name) == f"{grid}：{name}"
