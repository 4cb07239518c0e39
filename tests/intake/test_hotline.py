"""12345 hotline records in (file and HTTP adapters), and the closed order's status pushed back
with every attempt recorded and failures retried."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from gridgov.intake import hotline
from gridgov.intake.models import ExternalEvent, HotlinePush, IntakeSystem, SystemKind
from gridgov.workorders.models import Event, Source, WorkOrder
from gridgov.workorders.services import perform
from gridgov.workorders.states import State
from tests.intake.helpers import CST

pytestmark = pytest.mark.django_db


@pytest.fixture
def when(crew, clock):
    return (clock.now() - dt.timedelta(hours=3)).astimezone(CST).replace(microsecond=0)


def record(when, **kw):
    out = {"工单编号": "H1", "受理时间": when.strftime("%Y-%m-%d %H:%M"), "经度": 113.05,
           "纬度": 35.2, "类别": "sanitation", "诉求内容": "小区门口垃圾堆放多日未清运",
           "地址": "东一社区北门", "来电人": "王先生", "联系电话": "13812345678"}  # fmt: skip
    out.update(kw)
    return out


class FakeHotline:
    """A local 12345 system: GET /records answers `records`; POST /status is kept, and the
    first `fail` of them answered 503."""

    def __init__(self) -> None:
        self.records: list = []
        self.statuses: list = []
        self.fail = 0
        self.auth: list = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                fake.auth.append(self.headers.get("Authorization"))
                if self.path == "/api/records":
                    self._answer(200, {"records": fake.records})
                else:
                    self._answer(404, {})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/api/status":
                    return self._answer(404, {})
                if fake.fail > 0:
                    fake.fail -= 1
                    return self._answer(503, {"error": "busy"})
                fake.statuses.append(body)
                return self._answer(200, {"ok": True})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeHotline()
    yield server
    server.stop()


def test_an_export_file_becomes_hotline_events_at_the_desk(tmp_path, when):
    path = tmp_path / "12345.json"
    rows = [record(when), record(when, 工单编号="H2", 类别="道路扬尘与保洁", 经度=113.3)]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    call_command("import_hotline", str(path), stdout=(dry := io.StringIO()))
    assert "would have: imported 2" in dry.getvalue() and "Add --commit" in dry.getvalue()
    assert not ExternalEvent.objects.exists()  # a dry run by default
    out = io.StringIO()
    call_command("import_hotline", str(path), "--commit", stdout=out)
    assert "imported 2" in out.getvalue() and "would" not in out.getvalue()
    order = WorkOrder.objects.get(event__external_events__external_id="H1")
    assert order.event.source == Source.HOTLINE and order.state == State.REPORTED
    assert order.event.category.code == "sanitation" and order.event.contact_phone == "13812345678"
    assert order.event.description == "小区门口垃圾堆放多日未清运"
    assert Event.objects.get(external_events__external_id="H2").category.code == "road_dust"
    # No name or phone in the raw payload kept.
    raw = ExternalEvent.objects.get(external_id="H1").raw
    assert "13812345678" not in json.dumps(raw, ensure_ascii=False) and "王先生" not in str(raw)
    call_command("import_hotline", str(path), "--commit", stdout=(again := io.StringIO()))
    assert "already known 2" in again.getvalue()


def test_a_csv_export_with_bad_records_names_them(tmp_path, when):
    t = when.strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "12345.csv"
    path.write_text(
        "工单编号,受理时间,经度,纬度,类别,诉求内容\n"
        f"H1,{t},113.05,35.2,sanitation,垃圾\n"
        f"H2,{t},113.05,35.2,no_such_category,垃圾\n"
        f"H3,{t},,35.2,sanitation,垃圾\n"
        f"H4,{t},113.05,35.2,,垃圾\n"
        f"H5,2026-13-01 10:00,113.05,35.2,sanitation,垃圾\n"
        f"H6,{t},113.05,35.2,sanitation,{'长' * 4001}\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="4 record"):
        call_command("import_hotline", str(path), "--commit", stdout=out)
    text = out.getvalue()
    for where in ("row 4, lon", "row 5, category", "row 6, time", "row 7, content"):
        assert where in text, text
    # An unknown category is kept as refused (its id is known now), not as an event.
    assert ExternalEvent.objects.get(external_id="H2").outcome == "refused"
    assert "imported 1" in text and "refused 5" in text


def test_pulled_over_http_and_the_status_pushed_when_the_order_closes(
    fake, when, crew, django_capture_on_commit_callbacks
):
    fake.records = [record(when)]
    with override_settings(GRIDGOV_HOTLINE_URL=fake.url, GRIDGOV_HOTLINE_TOKEN="s3cret"):
        call_command("import_hotline", "--pull", stdout=(dry := io.StringIO()))
        assert "would have: imported 1" in dry.getvalue() and not ExternalEvent.objects.exists()
        call_command("import_hotline", "--pull", "--commit", stdout=(out := io.StringIO()))
        assert "imported 1" in out.getvalue() and fake.auth == ["Bearer s3cret"] * 2
        order = WorkOrder.objects.get(event__source=Source.HOTLINE)
        sec, worker = crew["east_secretary"], crew["g1_worker"]
        for code, user, kw in (
            ("accept", sec, {}), ("dispatch", sec, {}), ("sign", worker, {}),
            ("handle", worker, {"note": "已清运"}), ("verify", sec, {"note": "已核查"}),
        ):  # fmt: skip
            perform(order.pk, code, user, **kw)
        assert HotlinePush.objects.count() == 0  # nothing before it closes
        with django_capture_on_commit_callbacks(execute=True):
            perform(order.pk, "close", sec)
        # The close only queued the push: nothing sent in the request.
        assert fake.statuses == []
        assert list(HotlinePush.objects.values_list("attempt", "ok")) == [(0, False)]
        assert hotline.retry_due() == 1  # the worker's minute job
        assert hotline.retry_due() == 0
    assert len(fake.statuses) == 1
    sent = fake.statuses[0]
    assert sent["id"] == "H1" and sent["status"] == "closed"
    assert sent["reference"] == order.event.reference
    push = HotlinePush.objects.get(attempt=1)
    assert push.ok and push.next_at is None
    assert HotlinePush.objects.get(attempt=0).next_at is None  # the queued row was claimed


@override_settings(GRIDGOV_HOTLINE_PUSH_ATTEMPTS=3, GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS=60)
def test_failed_pushes_are_retried_with_back_off_each_attempt_recorded(
    fake, when, crew, clock, django_capture_on_commit_callbacks
):
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    fake.fail = 2
    with override_settings(GRIDGOV_HOTLINE_URL=fake.url):
        with django_capture_on_commit_callbacks(execute=True):
            perform(order.pk, "void", crew["command"], note="重复来电")
        assert hotline.retry_due() == 1
        first = HotlinePush.objects.get(attempt=1)
        assert not first.ok and "503" in first.error
        assert first.next_at == first.at + dt.timedelta(seconds=60)
        assert hotline.retry_due(first.at + dt.timedelta(seconds=59)) == 0  # not yet
        assert hotline.retry_due(first.at + dt.timedelta(seconds=61)) == 1
        second = HotlinePush.objects.get(attempt=2)
        assert not second.ok and second.next_at == second.at + dt.timedelta(seconds=120)
        assert hotline.retry_due(second.at + dt.timedelta(seconds=121)) == 1
        assert hotline.retry_due(second.at + dt.timedelta(hours=1)) == 0  # done
    pushes = list(HotlinePush.objects.values_list("attempt", "ok"))
    assert pushes == [(0, False), (1, False), (2, False), (3, True)]
    assert fake.statuses == [
        {"id": "H1", "status": "voided", "reference": order.event.reference,
         "at": fake.statuses[0]["at"]}
    ]  # fmt: skip


@override_settings(GRIDGOV_HOTLINE_PUSH_ATTEMPTS=2, GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS=0)
def test_attempts_stop_at_the_limit_and_nowhere_to_push_is_recorded(
    when, crew, django_capture_on_commit_callbacks
):
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    with django_capture_on_commit_callbacks(execute=True):  # no URL, no outbox configured
        perform(order.pk, "void", crew["command"], note="重复来电")
    assert hotline.retry_due() == 1 and hotline.retry_due() == 1 and hotline.retry_due() == 0
    assert list(HotlinePush.objects.values_list("attempt", "ok", "next_at")) == [
        (0, False, None), (1, False, None), (2, False, None)
    ]  # fmt: skip
    assert "GRIDGOV_HOTLINE_URL" in HotlinePush.objects.get(attempt=1).error


def test_the_file_adapter_writes_the_outbox(
    tmp_path, when, crew, django_capture_on_commit_callbacks
):
    outbox = tmp_path / "outbox.jsonl"
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    with override_settings(GRIDGOV_HOTLINE_OUTBOX=str(outbox)):
        with django_capture_on_commit_callbacks(execute=True):
            perform(order.pk, "void", crew["command"], note="重复来电")
        assert not outbox.exists()  # queued, not written in the request
        assert hotline.retry_due() == 1
    line = json.loads(outbox.read_text(encoding="utf-8"))
    assert line["id"] == "H1" and line["status"] == "voided"


def test_other_orders_closing_push_nothing(crew, report, django_capture_on_commit_callbacks):
    order = report()
    with django_capture_on_commit_callbacks(execute=True):
        perform(order.pk, "void", crew["command"], note="误报")
    assert HotlinePush.objects.count() == 0


@pytest.mark.parametrize("url", ["ftp://12345.example/api", "http://bad host:99999/api"])
def test_a_close_with_a_broken_hotline_url_answers_and_leaves_a_retryable_push(
    url, when, crew, django_capture_on_commit_callbacks
):
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    with override_settings(GRIDGOV_HOTLINE_URL=url):
        with django_capture_on_commit_callbacks(execute=True):
            perform(order.pk, "void", crew["command"], note="重复来电")
        assert WorkOrder.objects.get(pk=order.pk).state == State.VOIDED
        assert hotline.retry_due() == 1
    failed = HotlinePush.objects.get(attempt=1)
    assert not failed.ok and failed.error and failed.next_at is not None  # retryable


def test_a_close_over_http_with_a_broken_hotline_url_answers_normally(
    when, crew, client, django_capture_on_commit_callbacks
):
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    client.force_login(crew["command"])
    with (
        override_settings(GRIDGOV_HOTLINE_URL="ftp://nowhere"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = client.post(
            reverse("workorders:order", args=[order.pk]), {"action": "void", "note": "重复来电"}
        )
    assert answer.status_code in (200, 302), answer.status_code
    assert WorkOrder.objects.get(pk=order.pk).state == State.VOIDED
    assert HotlinePush.objects.get().next_at is not None  # queued, due now


@pytest.mark.parametrize(
    "trouble",
    [http.client.IncompleteRead(b"par"), http.client.InvalidURL("bad"), ValueError("odd URL")],
)
def test_every_http_trouble_is_a_hotline_error(trouble, monkeypatch):
    def urlopen(*args, **kwargs):
        raise trouble

    monkeypatch.setattr(hotline.urllib.request, "urlopen", urlopen)
    with pytest.raises(hotline.HotlineError, match="/status"):
        hotline.HttpHotline("http://127.0.0.1:9/api").push_status(
            "H1", "closed", "R", dt.datetime.now(dt.UTC)
        )


def test_a_failing_order_moved_listener_does_not_fail_the_close_nor_skip_others(
    when, crew, django_capture_on_commit_callbacks
):
    from gridgov.workorders.signals import order_moved

    def broken(**kwargs):
        raise RuntimeError("listener bug")

    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(system, ListAdapter([record(when)]))
    order = WorkOrder.objects.get(event__source=Source.HOTLINE)
    order_moved.connect(broken, dispatch_uid="test-broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            perform(order.pk, "void", crew["command"], note="重复来电")
    finally:
        order_moved.disconnect(dispatch_uid="test-broken")
    assert HotlinePush.objects.filter(attempt=0).count() == 1  # intake's listener still ran


def test_an_unreachable_hotline_system_stops_the_pull(crew):
    settings = {
        "GRIDGOV_HOTLINE_URL": "http://127.0.0.1:9/api",
        "GRIDGOV_HOTLINE_TIMEOUT_SECONDS": 1,
    }
    with override_settings(**settings), pytest.raises(CommandError, match="/records"):
        call_command("import_hotline", "--pull", stdout=io.StringIO())


class ListAdapter:
    def __init__(self, records):
        self.records = records

    def fetch(self):
        return list(enumerate(self.records, start=1))

    def push_status(self, external_id, status, reference, at):  # pragma: no cover
        raise hotline.HotlineError("not used")


def test_a_hotline_record_with_a_date_alone_is_refused(when, crew):
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    day = when.strftime("%Y-%m-%d")
    summary = hotline.import_records(system, ListAdapter([record(when, 受理时间=day)]))
    assert [str(e) for e in summary.errors] == [
        f"row 1, time: '{day}' is a date without a time of day; give the time too"
    ]
    assert not Event.objects.filter(source=Source.HOTLINE).exists()


def test_a_hotline_order_merged_away_has_its_status_queued_and_pushed(
    tmp_path, when, crew, django_capture_on_commit_callbacks
):
    from gridgov.workorders.duplicates import merge

    outbox = tmp_path / "outbox.jsonl"
    system = IntakeSystem.objects.create(code="h", name="12345", kind=SystemKind.HOTLINE)
    hotline.import_records(
        system, ListAdapter([record(when), record(when, 工单编号="H2", 经度=113.051)])
    )
    kept = Event.objects.get(external_events__external_id="H1")
    gone = Event.objects.get(external_events__external_id="H2")
    moved = []

    def listen(sender, **kw):
        moved.append((kw["action"], kw["from_state"], kw["to_state"], kw["order"].pk))

    from gridgov.workorders.signals import order_moved

    order_moved.connect(listen, dispatch_uid="test-listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            merge(gone.pk, kept.pk, crew["command"])
            assert moved == []  # only once committed
    finally:
        order_moved.disconnect(dispatch_uid="test-listen")
    before = moved[0][1]
    assert moved == [("merge", before, State.VOIDED, gone.order.pk)]
    queued = HotlinePush.objects.get()
    assert queued.record.external_id == "H2" and queued.status == "voided" and queued.attempt == 0
    with override_settings(GRIDGOV_HOTLINE_OUTBOX=str(outbox)):
        assert hotline.retry_due() == 1
    line = json.loads(outbox.read_text(encoding="utf-8"))
    assert line["id"] == "H2" and line["status"] == "voided" and line["reference"] == gone.reference
