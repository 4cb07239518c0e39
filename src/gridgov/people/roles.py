"""Roles are Django groups with model permissions; which group a post puts its holder in is set
on the post type. `ensure_roles` runs after every migrate and is idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission, User

VIEW, ADD, CHANGE = "view", "add", "change"

# 专班与物资: forces, members, rosters, kinds and depots are edited; the ledger is written only
# by the services (stock in, allocations, hand-overs), so the admin shows it read-only.
_FORCE_MODELS = ("taskforce", "membership", "dutyshift", "supplykind", "depot")
_LEDGER = ("supplymovement", "allocation", "handover", "requeststep")
# 项目: projects are registered and changed by their unit (district or street); the ledger, the
# milestones, status history, officials and documents are written through the project's page.
_PROJECT_MODELS = ("project", "milestone", "spending", "official", "document", "statuschange")
_PROJECTS_ALL = {f"projects.{m}": (VIEW, ADD, CHANGE) for m in _PROJECT_MODELS}
_PROJECTS_VIEW = {f"projects.{m}": (VIEW,) for m in _PROJECT_MODELS}

# group name → {app_label.model: actions}
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "指挥中心": {
        "territory.region": (VIEW, ADD, CHANGE),
        "territory.boundaryversion": (VIEW,),
        "territory.workline": (VIEW, ADD, CHANGE),
        "people.person": (VIEW, ADD, CHANGE),
        "people.post": (VIEW, ADD, CHANGE),
        "people.posttype": (VIEW,),
        "air.station": (VIEW, ADD, CHANGE),
        "air.alarm": (VIEW, CHANGE),
        "air.alarmrule": (VIEW, ADD, CHANGE),
        "air.gateway": (VIEW, ADD, CHANGE),
        "air.target": (VIEW, ADD, CHANGE),
        "air.reviewdecision": (VIEW,),
        "workorders.workorder": (VIEW, ADD, CHANGE),
        "workorders.category": (VIEW, ADD, CHANGE),
        "workorders.deadlinepolicy": (VIEW, ADD, CHANGE),
        "inspections.checklistitem": (VIEW, ADD, CHANGE),
        "inspections.inspectionplan": (VIEW, ADD, CHANGE),
        "inspections.inspection": (VIEW,),
        "inspections.rectification": (VIEW,),
        "enforcement.case": (VIEW, ADD, CHANGE),
        "enforcement.legalbasis": (VIEW, ADD, CHANGE),
        "enforcement.casedeadline": (VIEW, CHANGE),
        "emergency.measure": (VIEW, ADD, CHANGE),
        "emergency.warning": (VIEW,),
        "sources.pollutionsource": (VIEW, ADD, CHANGE),
        "bulletins.bulletin": (VIEW,),
        **{f"forces.{m}": (VIEW, ADD, CHANGE) for m in _FORCE_MODELS},
        **{f"forces.{m}": (VIEW,) for m in _LEDGER},
        "forces.supplyrequest": (VIEW, ADD),
        "meetings.meeting": (VIEW, ADD, CHANGE),
        "racing.scorecard": (VIEW, ADD, CHANGE),
        "racing.indicator": (VIEW, ADD, CHANGE),
        "racing.snapshot": (VIEW,),
        **_PROJECTS_ALL,
    },
    "街道/镇干部": {
        "territory.region": (VIEW,),
        "territory.boundaryversion": (VIEW,),
        "people.person": (VIEW, ADD, CHANGE),
        "people.post": (VIEW, ADD, CHANGE),
        "air.station": (VIEW,),
        "air.alarm": (VIEW, CHANGE),
        "air.target": (VIEW,),
        "workorders.workorder": (VIEW, ADD, CHANGE),
        "workorders.category": (VIEW,),
        "inspections.checklistitem": (VIEW,),
        "inspections.inspectionplan": (VIEW,),
        "inspections.inspection": (VIEW,),
        "inspections.rectification": (VIEW,),
        "enforcement.case": (VIEW,),
        "sources.pollutionsource": (VIEW, ADD, CHANGE),
        "bulletins.bulletin": (VIEW,),
        **{f"forces.{m}": (VIEW,) for m in (*_FORCE_MODELS, *_LEDGER)},
        "forces.supplyrequest": (VIEW, ADD),
        "meetings.meeting": (VIEW, ADD, CHANGE),
        "racing.scorecard": (VIEW,),
        "racing.indicator": (VIEW,),
        "racing.snapshot": (VIEW,),
        **_PROJECTS_ALL,
    },
    "社区/村干部": {
        "territory.region": (VIEW,),
        "people.person": (VIEW, ADD, CHANGE),
        "people.post": (VIEW, ADD, CHANGE),
        "air.station": (VIEW,),
        "air.alarm": (VIEW, CHANGE),
        "air.target": (VIEW,),
        "workorders.workorder": (VIEW, ADD, CHANGE),
        "workorders.category": (VIEW,),
        "inspections.checklistitem": (VIEW,),
        "inspections.inspectionplan": (VIEW,),
        "inspections.inspection": (VIEW,),
        "inspections.rectification": (VIEW,),
        "enforcement.case": (VIEW,),
        "sources.pollutionsource": (VIEW, ADD, CHANGE),
        **{f"forces.{m}": (VIEW,) for m in (*_FORCE_MODELS, *_LEDGER)},
        "forces.supplyrequest": (VIEW, ADD),
        "racing.scorecard": (VIEW,),
        "racing.indicator": (VIEW,),
        "racing.snapshot": (VIEW,),
        **_PROJECTS_VIEW,
    },
    # 数据审核员: confirms or invalidates flagged values and approves days, in their scope.
    "数据审核员": {
        "territory.region": (VIEW,),
        "air.station": (VIEW,),
        "air.alarm": (VIEW,),
        "air.target": (VIEW,),
        "air.reviewdecision": (VIEW, ADD, CHANGE),
    },
    # 执法人员: files and handles enforcement cases in their scope.
    "执法人员": {
        "territory.region": (VIEW,),
        "sources.pollutionsource": (VIEW,),
        "enforcement.case": (VIEW, ADD, CHANGE),
        "enforcement.legalbasis": (VIEW,),
    },
    "网格员": {
        "territory.region": (VIEW,),
        "people.person": (VIEW,),
        "people.post": (VIEW,),
        "air.station": (VIEW,),
        "air.alarm": (VIEW,),
        "workorders.workorder": (VIEW, ADD),
        "workorders.category": (VIEW,),
        "sources.pollutionsource": (VIEW,),
    },
}
_ORDERS = ["workorders.dispatch_workorder", "workorders.verify_workorder"]
_SUPERVISE = ["workorders.supervise_workorder"]
_COMMAND = ["inbox.issue_command"]
_CASES = ["enforcement.handle_case", "enforcement.view_party_identity"]
_BULLETINS = ["bulletins.generate_bulletin"]
EXTRA = {
    "指挥中心": [
        "people.view_full_id_number",
        *_ORDERS,
        *_SUPERVISE,
        *_COMMAND,
        *_CASES,
        "enforcement.approve_publication",
        *_BULLETINS,
        "forces.handle_supplyrequest",
        "meetings.issue_minutes",
    ],
    "执法人员": _CASES,
    # A street handles requests, allocations and hand-overs of its own depots only (scoped),
    # and issues the minutes of its own meetings.
    "街道/镇干部": [
        *_ORDERS,
        *_SUPERVISE,
        *_COMMAND,
        "forces.handle_supplyrequest",
        "meetings.issue_minutes",
    ],
    "社区/村干部": [*_ORDERS, *_SUPERVISE],
}

# 村规民约与移风易俗 (customs): the village (社区/村干部) keeps its rules, council and limits and
# follows up flagged registrations; the street and the command office see and follow up; grid
# workers register weddings and funerals. Unmasked family data in exports: command and village.
_CUSTOMS_SETUP = ("adoptionmeeting", "rulesversion", "council", "councilmember", "limit")
for _group, _setup, _reg in (
    ("指挥中心", (VIEW, ADD, CHANGE), (VIEW, ADD, CHANGE)),
    ("街道/镇干部", (VIEW,), (VIEW, ADD, CHANGE)),
    ("社区/村干部", (VIEW, ADD, CHANGE), (VIEW, ADD, CHANGE)),
    ("网格员", (VIEW,), (VIEW, ADD)),
):
    ROLES[_group].update({f"customs.{m}": _setup for m in _CUSTOMS_SETUP})
    ROLES[_group]["customs.registration"] = _reg
for _group in ("指挥中心", "社区/村干部"):
    EXTRA[_group] = [*EXTRA[_group], "customs.export_family"]

# post type code → group name
POST_GROUPS = {
    "command_office": "指挥中心",
    "city_command_office": "指挥中心",
    "district_command_office": "指挥中心",
    "street_official": "街道/镇干部",
    "secretary": "社区/村干部",
    "grid_leader": "网格员",
    "grid_worker": "网格员",
    "grid_worker_part": "网格员",
    "data_reviewer": "数据审核员",
    "law_enforcer": "执法人员",
}


# 人民调解 (mediation): committees and trainings are managed by the command office and the
# streets; cases are registered by grid workers, mediated by the committees' mediators (a new
# group, 调解员, from the `mediator` post) and the community and street officials. Parties'
# identities are shown unmasked on exports and the API only with `view_party_identity`.
_MEDIATION_ALL = ("committee", "training", "attendance", "case", "party", "session", "followup")
_MEDIATION_READ = ("committee", "training", "attendance")
_MEDIATION_CASE = ("case", "party", "session", "followup")
ROLES["调解员"] = {
    "territory.region": (VIEW,),
    **{f"mediation.{m}": (VIEW,) for m in _MEDIATION_READ},
    **{f"mediation.{m}": (VIEW, ADD, CHANGE) for m in _MEDIATION_CASE},
}
_MEDIATION_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "指挥中心": {f"mediation.{m}": (VIEW, ADD, CHANGE) for m in _MEDIATION_ALL},
    "街道/镇干部": {f"mediation.{m}": (VIEW, ADD, CHANGE) for m in _MEDIATION_ALL},
    "社区/村干部": {
        **{f"mediation.{m}": (VIEW,) for m in _MEDIATION_READ},
        **{f"mediation.{m}": (VIEW, ADD, CHANGE) for m in _MEDIATION_CASE},
    },
    "网格员": {"mediation.case": (VIEW, ADD), "mediation.party": (VIEW, ADD)},
}
for _group, _grants in _MEDIATION_GRANTS.items():
    ROLES[_group].update(_grants)
for _group in ("指挥中心", "街道/镇干部", "社区/村干部", "调解员"):
    EXTRA[_group] = [*EXTRA.get(_group, []), "mediation.view_party_identity"]
POST_GROUPS["mediator"] = "调解员"
# 新兴领域党建 (organisations): organisations and their history are written only by the
# services (the history is read-only everywhere); the party-building instructors (a post of
# their own group) log visits; grid staff register new-employment volunteers.
_ORGS = ("organisation", "assignment", "visit", "jointmeeting", "volunteer")
_ORG_DESK = {f"organisations.{m}": (VIEW, ADD, CHANGE) for m in _ORGS}
_ORG_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "指挥中心": {**_ORG_DESK, "organisations.orgevent": (VIEW,)},
    "街道/镇干部": {**_ORG_DESK, "organisations.orgevent": (VIEW,)},
    "社区/村干部": {
        **_ORG_DESK,
        "organisations.assignment": (VIEW,),
        "organisations.orgevent": (VIEW,),
    },
    "网格员": {"organisations.volunteer": (VIEW, ADD)},
    "党建指导员": {
        "territory.region": (VIEW,),
        "organisations.organisation": (VIEW,),
        "organisations.orgevent": (VIEW,),
        "organisations.assignment": (VIEW,),
        "organisations.visit": (VIEW, ADD),
        "organisations.jointmeeting": (VIEW,),
    },
}
for _group, _grants in _ORG_GRANTS.items():
    ROLES.setdefault(_group, {}).update(_grants)
for _group in ("指挥中心", "街道/镇干部"):
    EXTRA[_group] = [*EXTRA[_group], "organisations.view_contact"]
POST_GROUPS["party_instructor"] = "党建指导员"
# 设备控制 (air/device_control.py): the command office sets the monitoring devices' clocks and
# upload intervals and asks them for history; the others see the command log on a station page.
EXTRA["指挥中心"] = [*EXTRA["指挥中心"], "air.control_device"]
ROLES["指挥中心"]["air.devicecommand"] = (VIEW,)  # the whole log, in the admin


def _last_app_migrated() -> Any:
    """The app whose post_migrate signal comes last: every app's permissions exist by then."""
    from django.apps import apps

    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def ensure_roles(sender: Any = None, **_: Any) -> None:
    """The groups and their permissions. As a post_migrate receiver it acts once per migrate
    (or flush), on the last app's signal; called directly, at once."""
    from django.apps import AppConfig

    from gridgov.people.models import PostType

    if isinstance(sender, AppConfig) and sender is not _last_app_migrated():
        return

    for group_name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            for action in actions:
                wanted.append((app_label, f"{action}_{model}"))
        for perm in EXTRA.get(group_name, []):
            app_label, codename = perm.split(".")
            wanted.append((app_label, codename))
        perms = [
            p
            for p in Permission.objects.select_related("content_type").filter(
                codename__in=[c for _, c in wanted]
            )
            if (p.content_type.app_label, p.codename) in wanted
        ]
        group.permissions.set(perms)
    groups = {g.name: g for g in Group.objects.filter(name__in=set(POST_GROUPS.values()))}
    for code, group_name in POST_GROUPS.items():
        PostType.objects.filter(code=code, group__isnull=True).update(group=groups[group_name])


def sync_groups(user: User) -> None:
    """Put an account in the groups of the posts its person currently holds."""
    from gridgov.people.models import Post

    managed = set(ROLES)
    held = {
        p.post_type.group
        for p in Post.objects.current().filter(person__user=user).select_related("post_type__group")
        if p.post_type.group is not None
    }
    keep = [g for g in user.groups.all() if g.name not in managed]
    user.groups.set(keep + list(held))


def sync_groups_many(users: list[User]) -> None:
    """`sync_groups` for many accounts at once (a roll-out, the demo): the same groups, with
    three queries and two bulk writes instead of several queries per account."""
    from django.contrib.auth import get_user_model

    from gridgov.people.models import Post

    if not users:
        return
    managed = set(ROLES)
    ids = [u.pk for u in users]
    held: dict[int, set[int]] = {i: set() for i in ids}
    for user_id, group_id in (
        Post.objects.current()
        .filter(person__user__in=ids, post_type__group__isnull=False)
        .values_list("person__user_id", "post_type__group_id")
    ):
        held[user_id].add(group_id)
    Membership = get_user_model().groups.through
    managed_ids = set(Group.objects.filter(name__in=managed).values_list("pk", flat=True))
    have: dict[int, set[int]] = {i: set() for i in ids}
    for user_id, group_id in Membership.objects.filter(user_id__in=ids).values_list(
        "user_id", "group_id"
    ):
        have[user_id].add(group_id)
    drop = [
        (user_id, group_id)
        for user_id, groups in have.items()
        for group_id in groups
        if group_id in managed_ids and group_id not in held[user_id]
    ]
    for user_id, group_id in drop:
        Membership.objects.filter(user_id=user_id, group_id=group_id).delete()
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_id, group_id=group_id)
            for user_id, groups in held.items()
            for group_id in sorted(groups - have[user_id])
        ],
        batch_size=500,
    )
