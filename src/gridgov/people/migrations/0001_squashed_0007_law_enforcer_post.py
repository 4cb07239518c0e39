"""People: its migrations squashed. Its tables as the models now stand, created together
(`CreateModels`, gridgov/core/migration_ops.py), then the seed data of the replaced migrations
(their steps that only change existing rows do nothing on an empty database and are left out). A
database that has applied the replaced migrations skips this one.
"""

import django.db.models.deletion
import gridgov.core.migration_ops
import gridgov.people.models
from django.conf import settings
from django.db import migrations, models


# From 0002_seed_post_types: Seed the post types (editable afterwards in the admin).

POST_TYPES = [
    ("grid_leader", "网格长", "Grid leader", 4, 10, True, False),
    ("grid_worker", "专职网格员", "Full-time grid worker", 4, 20, True, False),
    ("grid_worker_part", "兼职网格员", "Part-time grid worker", 4, 30, True, False),
    ("secretary", "社区/村书记", "Community/village secretary", 3, 40, True, False),
    ("street_official", "街道/镇干部", "Street/town official", 2, 50, True, False),
    ("command_office", "指挥中心", "District command office", 1, 60, True, True),
    ("volunteer", "志愿者", "Volunteer", None, 70, False, False),
    ("mediator", "调解员", "Mediator", None, 80, False, False),
    ("party_instructor", "党建指导员", "Party-building instructor", None, 90, False, False),
]


def seed_0002(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    for code, name, name_en, level, rank, responsible, sees_all in POST_TYPES:
        PostType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "rank": rank,
                "responsible": responsible,
                "sees_everything": sees_all,
            },
        )


# From 0006_data_reviewer_post: The data reviewer post (数据审核员): its holders review air data in
# their scope.


def seed_0006(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    PostType.objects.update_or_create(
        code="data_reviewer",
        defaults={
            "name": "数据审核员",
            "name_en": "Data reviewer",
            "level": None,
            "rank": 85,
            "responsible": False,
            "sees_everything": False,
        },
    )


# From 0007_law_enforcer_post: The law enforcer post (执法队员): its holders file and handle
# enforcement cases in their scope.


def seed_0007(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    PostType.objects.update_or_create(
        code="law_enforcer",
        defaults={
            "name": "执法队员",
            "name_en": "Law enforcement officer",
            "level": None,
            "rank": 86,
            "responsible": False,
            "sees_everything": False,
        },
    )


class Migration(migrations.Migration):
    replaces = [
        ("people", "0001_initial"),
        ("people", "0002_seed_post_types"),
        ("people", "0003_post_line"),
        ("people", "0004_apitoken_expires_at"),
        ("people", "0005_apitoken_expires_at_required"),
        ("people", "0006_data_reviewer_post"),
        ("people", "0007_law_enforcer_post"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("territory", "0002_seed_work_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        gridgov.core.migration_ops.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=60, verbose_name="名称")),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("prefix", models.CharField(max_length=8)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "expires_at",
                            models.DateTimeField(db_index=True, verbose_name="到期时间"),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API令牌",
                        "verbose_name_plural": "API令牌",
                    },
                ),
                migrations.CreateModel(
                    name="Person",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        (
                            "phone",
                            models.CharField(
                                max_length=11,
                                unique=True,
                                validators=[gridgov.people.models.validate_mobile],
                                verbose_name="手机号码",
                            ),
                        ),
                        (
                            "id_number",
                            models.CharField(
                                blank=True,
                                max_length=18,
                                validators=[gridgov.people.models.validate_id_number],
                                verbose_name="身份证号码",
                            ),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="备注")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="person",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登录账号",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "人员",
                        "verbose_name_plural": "人员",
                        "ordering": ["name", "phone"],
                        "permissions": [("view_full_id_number", "可查看完整身份证号码")],
                    },
                ),
                migrations.CreateModel(
                    name="PostType",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="代码")),
                        ("name", models.CharField(max_length=40, verbose_name="名称")),
                        (
                            "name_en",
                            models.CharField(blank=True, max_length=60, verbose_name="英文名称"),
                        ),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="空表示任何层级",
                                null=True,
                                verbose_name="所在层级",
                            ),
                        ),
                        (
                            "rank",
                            models.PositiveSmallIntegerField(default=100, verbose_name="责任顺序"),
                        ),
                        (
                            "responsible",
                            models.BooleanField(default=False, verbose_name="承担网格责任"),
                        ),
                        (
                            "sees_everything",
                            models.BooleanField(default=False, verbose_name="可见全区"),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="auth.group",
                                verbose_name="权限组",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "岗位类型",
                        "verbose_name_plural": "岗位类型",
                        "ordering": ["rank", "code"],
                    },
                ),
                migrations.CreateModel(
                    name="Post",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        (
                            "end_date",
                            models.DateField(blank=True, null=True, verbose_name="结束日期"),
                        ),
                        (
                            "notes",
                            models.CharField(blank=True, max_length=200, verbose_name="备注"),
                        ),
                        (
                            "line",
                            models.ForeignKey(
                                blank=True,
                                help_text="空表示全部条线",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="territory.workline",
                                verbose_name="条线",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="posts",
                                to="people.person",
                                verbose_name="人员",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="posts",
                                to="territory.region",
                                verbose_name="区域",
                            ),
                        ),
                        (
                            "post_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="people.posttype",
                                verbose_name="岗位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "任职",
                        "verbose_name_plural": "任职",
                        "ordering": ["region__code", "post_type__rank", "start_date"],
                        "indexes": [
                            models.Index(
                                fields=["region", "end_date"], name="people_post_region__3689b5_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "post_type", "region", "start_date"),
                                name="uniq_post_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("end_date__isnull", True),
                                    ("end_date__gte", models.F("start_date")),
                                    _connector="OR",
                                ),
                                name="post_end_after_start",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(seed_0002, migrations.RunPython.noop),
        migrations.RunPython(seed_0006, migrations.RunPython.noop),
        migrations.RunPython(seed_0007, migrations.RunPython.noop),
    ]
