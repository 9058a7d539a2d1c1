"""The ``genba`` command: create-user, demo, revoke-device, serve, and the README listing them."""

import json
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sync.models import Record

from conftest import Device
from server.core.db import db
from server.core.models import User
from server.core.vocabulary import ROLES

README = Path(__file__).resolve().parent.parent / "README.md"
DEMO_MINIMUMS = {"customers": 40, "contacts": 80, "visits": 200, "requests": 30, "deals": 20, "quotes": 100}


def sign_in(client, login, password):
    return client.post(
        "/api/v1/auth/token",
        json={"login": login, "password": password, "device": {"id": str(uuid.uuid4()), "name": "PC"}},
    )


def live_counts(app):
    with app.app_context():
        return dict(
            db.session.execute(
                select(Record.entity, func.count()).where(Record.deleted.is_(False)).group_by(Record.entity)
            ).all()
        )


def printed_logins(output):
    """``{login: (password, role)}`` from the demo's "sign in with" list."""
    listing = output.split("sign in with", 1)[1]
    return {
        login: (password, role)
        for login, password, role in re.findall(r"^\s+(\S+)\s+(\S+)\s+(\S+)\s*$", listing, re.MULTILINE)
    }


@pytest.fixture
def demo(runner):
    """Run ``genba demo`` once; its output."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_create_user_makes_someone_who_can_sign_in(runner, client):
    result = runner.invoke(
        args=[
            "create-user",
            "kimura",
            "--password",
            "kimura-pass-1",
            "--role",
            "technician",
            "--team",
            "service",
            "--name",
            "木村 拓也",
        ]
    )
    assert result.exit_code == 0, result.output
    response = sign_in(client, "kimura", "kimura-pass-1")
    user = response.get_json()["user"]
    assert result.output == f"user kimura (technician) id {user['id']}\n"
    assert user == {"id": user["id"], "name": "木村 拓也", "role": "technician", "team": "service"}


def test_create_user_on_an_existing_login_resets_the_password(runner, client, people):
    result = runner.invoke(
        args=[
            "create-user",
            "rep_a",
            "--password",
            "a-new-password",
            "--role",
            "rep",
            "--team",
            "east",
            "--name",
            "佐藤 健太",
        ]
    )
    assert result.exit_code == 0, result.output
    assert sign_in(client, "rep_a", "correct horse battery").status_code == 401
    assert sign_in(client, "rep_a", "a-new-password").get_json()["user"]["id"] == people["rep_a"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--password", "long-enough-1", "--role", "boss"],
            "Invalid value for '--role': 'boss' is not one of",
        ),
        (["--password", "short", "--role", "rep"], "password must be at least 8 characters"),
        (["--password", "long-enough-1"], "Missing option '--role'"),
        (["--role", "rep"], "Missing option '--password'"),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_message(app, runner, args, message):
    result = runner.invoke(args=["create-user", "newbie", *args])
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.login == "newbie")).scalar() is None


def test_demo_loads_a_realistic_data_set(app, demo):
    counts = live_counts(app)
    assert {entity: counts.get(entity, 0) >= minimum for entity, minimum in DEMO_MINIMUMS.items()} == {
        entity: True for entity in DEMO_MINIMUMS
    }
    assert "rejected" not in demo


def test_the_demo_has_daily_reports_submitted_and_some_approved(app, demo):
    """The manager's 日報 tab has reports to read and to approve, each listing its day's visits."""
    with app.app_context():
        stored = db.session.execute(select(Record.data).where(Record.entity == "daily_reports")).scalars()
        reports = [json.loads(data) for data in stored]
    statuses = sorted({r["status"] for r in reports})
    assert len(reports) >= 15 and statuses == ["approved", "submitted"]
    assert all(r["submitted_at"] and r["summary"].startswith("・") for r in reports)


def test_demo_data_shows_no_concurrent_edits_to_review(app, demo):
    """A new user's first screen must not open with conflicts the demo itself made."""
    assert live_counts(app).get("conflicts", 0) == 0


def test_demo_requests_assigned_to_a_team_are_listed_under_that_team(app, demo):
    """The inbox lists a request under its route: one the office gave to a technician or a rep
    must not stay under the office's own 「事務（振り分け）」."""
    with app.app_context():
        teams = dict(db.session.execute(select(User.id, User.team)).all())
        roles = dict(db.session.execute(select(User.id, User.role)).all())
        rows = db.session.execute(
            select(Record.data).where(Record.entity == "requests", Record.deleted.is_(False))
        ).scalars()
        requests = [json.loads(data) for data in rows]
    assigned = [
        r for r in requests if r.get("assignee_id") and roles[r["assignee_id"]] in ("rep", "technician")
    ]
    assert assigned
    misrouted = [
        (r["title"], r["route_to"])
        for r in assigned
        if r["route_to"] != ("sales" if roles[r["assignee_id"]] == "rep" else teams[r["assignee_id"]])
    ]
    assert misrouted == []


def test_demo_prints_a_login_and_password_for_every_role(app, demo):
    logins = printed_logins(demo)
    assert {role for _, role in logins.values()} == set(ROLES)
    with app.app_context():
        stored = dict(db.session.execute(select(User.login, User.role).where(User.login.in_(logins))).all())
    assert stored == {login: role for login, (_, role) in logins.items()}


def test_every_printed_demo_login_signs_in_with_its_role(client, demo):
    logins = printed_logins(demo)
    roles = {
        login: sign_in(client, login, password).get_json()["user"]["role"]
        for login, (password, _) in logins.items()
    }
    assert roles == {login: role for login, (_, role) in logins.items()}


def test_demo_run_again_applies_nothing_new(app, runner, demo):
    before = live_counts(app)
    again = runner.invoke(args=["demo"])
    applied = int(re.search(r"^demo data: applied (\d+)$", demo, re.MULTILINE).group(1))
    assert again.exit_code == 0 and f"demo data: duplicate {applied}\n" in again.output
    assert "rejected" not in again.output and live_counts(app) == before


def test_a_demo_rep_signs_in_with_the_printed_password_and_pulls_their_customers(client, demo):
    login, (password, _) = next((k, v) for k, v in printed_logins(demo).items() if v[1] == "rep")
    rep = Device(client, login, password=password)
    customers = [c["record"] for c in rep.sync() if c["entity"] == "customers"]
    assert len(customers) >= 5
    assert all(c["owner_id"] == rep.user["id"] or c["team"] == rep.user["team"] for c in customers)


def test_demo_has_the_customer_yamada_seisakusho(client, demo):
    office_login, (password, _) = next((k, v) for k, v in printed_logins(demo).items() if v[1] == "office")
    office = Device(client, office_login, password=password)
    found = client.get("/api/v1/customers/search", query_string={"q": "山田製作所"}, headers=office.headers)
    assert "山田製作所" in [hit["name"] for hit in found.get_json()["results"]]


def test_demo_rejects_nothing(demo):
    assert "rejected" not in demo


def test_revoke_device_of_an_unknown_id_fails(runner):
    device_id = str(uuid.uuid4())
    result = runner.invoke(args=["revoke-device", device_id])
    assert (result.exit_code, result.output) == (1, f"Error: no device {device_id}\n")


def test_serve_help_lists_host_and_port(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output


def readme_cli_section():
    """The README's section whose heading names the CLI or its commands."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for start, line in enumerate(lines):
        heading = re.match(r"(#+)\s+(.*)", line)
        if heading and re.search(r"\bCLI\b|command", heading.group(2), re.IGNORECASE):
            level = len(heading.group(1))
            end = next(
                (i for i in range(start + 1, len(lines)) if re.match(r"#{1,%d}\s" % level, lines[i])),
                len(lines),
            )
            return "\n".join(lines[start:end])
    pytest.fail("README.md has no CLI section listing the genba commands")


def test_every_cli_command_is_in_the_readme(bare_app):
    if not README.exists():
        pytest.skip("README.md is not written yet")
    section = readme_cli_section()
    commands = [f"genba {name}" for name in sorted(bare_app.cli.commands)] + ["genba db upgrade"]
    assert [command for command in commands if command not in section] == []


SAMPLES = Path(__file__).resolve().parent.parent / "demo" / "samples"


def test_the_demos_sample_lists_import_cleanly_and_once(runner, demo):
    # What scripts/run-demo offers to try the Excel imports with, as the office's Shift_JIS files.
    # The tests' own 佐藤 健太 (rep_a) would make the name two users': the demo has only rep1.
    assert runner.invoke(args=["user", "set", "rep_a", "--inactive"]).exit_code == 0
    customers = runner.invoke(args=["import-customers", str(SAMPLES / "顧客台帳.csv"), "--as", "office1"])
    assert customers.exit_code == 0, customers.output
    assert (
        "5 rows: created 3 customers and 4 contact people; 1 customers were there already" in customers.output
    )
    quotes = runner.invoke(args=["import-quotes", str(SAMPLES / "見積台帳.csv"), "--as", "office1"])
    assert quotes.exit_code == 0, quotes.output
    assert "created 5 quotes" in quotes.output
    again = runner.invoke(args=["import-customers", str(SAMPLES / "顧客台帳.csv"), "--as", "office1"])
    assert "created 0 customers and 0 contact people" in again.output and "0 filled" in again.output
