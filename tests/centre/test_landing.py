"""Where `/` sends each role: officials to the overview, grid people to the phone pages on a
phone and to their grid's overview otherwise, anonymous to the login; the login lands on `/`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.centre.landing import is_mobile, landing_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120 Mobile Safari"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120"


def test_mobile_user_agents():
    assert is_mobile(IPHONE) and is_mobile(ANDROID)
    assert is_mobile("Mozilla/5.0 (Linux; HarmonyOS 4) MicroMessenger/8.0")
    assert not is_mobile(DESKTOP)
    assert not is_mobile("") and not is_mobile(None)


@pytest.mark.parametrize(
    ("username", "agent", "where"),
    [
        ("command", DESKTOP, "/overview/"),
        ("command", IPHONE, "/overview/"),
        ("east_secretary", DESKTOP, "/overview/"),
        ("east_secretary", ANDROID, "/overview/"),
        ("g1_leader", IPHONE, "/orders/m/"),
        ("g1_leader", DESKTOP, "/overview/"),
        ("g1_worker", ANDROID, "/orders/m/"),
        ("g1_worker", DESKTOP, "/overview/"),
        ("nobody", DESKTOP, "/map/"),
        ("nobody", IPHONE, "/map/"),
    ],
)
def test_landing_by_role_and_device(crew, username, agent, where):
    assert landing_for(crew[username], agent) == where


def test_landing_of_anonymous_and_superuser(crew, django_user_model):
    assert landing_for(AnonymousUser(), IPHONE) == "/login/"
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    assert landing_for(root, IPHONE) == "/overview/"


def test_a_post_at_community_level_wins_over_a_grid_post(crew, territory, people):
    import datetime as dt

    from gridgov.people.models import Post, PostType

    Post.objects.create(
        person=people["g1_leader"],
        post_type=PostType.objects.get(code="secretary"),
        region=territory["D-S1-C1"],
        start_date=dt.date(2024, 1, 1),
    )
    assert landing_for(crew["g1_leader"], IPHONE) == "/overview/"


def test_an_ended_post_does_not_count(crew, people):
    import datetime as dt

    from gridgov.people.models import Post

    Post.objects.filter(person=people["east_secretary"]).update(end_date=dt.date(2024, 6, 30))
    assert landing_for(crew["east_secretary"], DESKTOP) == "/map/"


def test_the_root_redirects_and_the_login_lands_there(client, crew):
    assert client.get("/").url == "/login/"
    response = client.post("/login/", {"username": "g1_worker", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/", HTTP_USER_AGENT=IPHONE).url == "/orders/m/"
    assert client.get("/", HTTP_USER_AGENT=DESKTOP).url == "/overview/"
    client.logout()
    client.post("/login/", {"username": "command", "password": PASSWORD})
    assert client.get("/", HTTP_USER_AGENT=IPHONE).url == "/overview/"
