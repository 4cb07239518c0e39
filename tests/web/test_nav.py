"""The header menu shows each role what it may use: every entry shown answers 200 for that
account, a grid worker is offered none of the command office's pages, and the menu is the one
list in web/nav.py."""

from __future__ import annotations

import re

import pytest

from gridgov.web.nav import NAV, nav_for
from tests.conftest import _person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """The pages cache figures per scope path; other tests' databases reuse the same paths."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


COMMAND_OFFICE = ["/overview/wall/", "/meetings/", "/bulletins/", "/racing/", "/forces/"]


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav id="main-nav".*?</nav>', html, re.S)
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.fixture
def roles(crew, territory):
    reviewer = _person("审核员", "13900000009", "data_reviewer", territory["D"], "reviewer")
    enforcer = _person("执法员", "13900000010", "law_enforcer", territory["D"], "enforcer")
    official = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "street")
    return {**crew, "reviewer": reviewer.user, "enforcer": enforcer.user, "street": official.user}


@pytest.mark.parametrize(
    "username",
    ["command", "street", "east_secretary", "g1_leader", "g1_worker", "reviewer", "enforcer"],
)
def test_every_entry_shown_answers(client, roles, username):
    client.force_login(roles[username])
    links = menu_links(client.get("/inbox/").content.decode())
    assert "/overview/" in links and "/inbox/" in links
    for address in links:
        response = client.get(address)
        assert response.status_code == 200, (username, address, response.status_code)


def test_grid_worker_is_not_offered_the_command_office(client, roles):
    client.force_login(roles["g1_worker"])
    links = menu_links(client.get("/inbox/").content.decode())
    for address in [*COMMAND_OFFICE, "/air/review/", "/cases/", "/admin/"]:
        assert address not in links, address
    assert "/orders/" in links and "/orders/m/" in links
    # …and the command office is offered all of them
    client.force_login(roles["command"])
    command = menu_links(client.get("/inbox/").content.decode())
    for address in COMMAND_OFFICE:
        assert address in command, address
    assert len(command) > len(links) + 10


def test_an_entry_hidden_from_a_role_is_one_its_page_refuses_or_another_roles_work(roles):
    """The reviewer (no work orders, no sources) gets the review queue and not the desk."""
    names = {e["name"] for g in nav_for(roles["reviewer"]) for e in g["entries"]}
    assert "air:review_queue" in names
    assert "workorders:desk" not in names and "sources:registry" not in names
    assert "centre:wall" not in names


def test_groups_with_nothing_for_the_account_are_left_out(roles):
    keys = [g["key"] for g in nav_for(roles["g1_worker"])]
    assert "command" not in keys
    assert keys[0] == "home" and keys[-1] == "more"
    assert nav_for(None) == []
    # one list: every entry's address resolves, no address twice
    from django.urls import reverse

    seen = [e.url_name for g in NAV for e in g.entries]
    assert len(seen) == len(set(seen))
    for name in seen:
        assert name.startswith("/") or reverse(name)
