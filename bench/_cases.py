"""Shared set-up for case benchmarks: the users of a command centre and a million cases written in one SQL."""

from __future__ import annotations

import os

# Notifications are queued for the worker as in a deployment (the test settings would run them inline).
os.environ["GRIDGOV_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"


def actors(grids: list) -> dict:
    """A grid worker covering every grid, a shift leader, a dispatcher and a sanitation department."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.contrib.auth.models import Group

    from accounts.models import Department, DepartmentKind, User
    from accounts.roles import Role
    from areas.models import Area

    district = Area.objects.get(code="110101")
    centre = Department.objects.create(code="CC", name="指挥中心", kind=DepartmentKind.COMMAND_CENTRE, area=district)
    sanitation = Department.objects.create(code="HW", name="环卫所", kind=DepartmentKind.SANITATION)
    users: dict[str, User | Department] = {}
    for name, role, department in (
        ("worker", Role.GRID_WORKER, None),
        ("shift", Role.SHIFT_LEADER, centre),
        ("dispatcher", Role.DISPATCHER, centre),
    ):
        user = User.objects.create_user(username=name, password="bench-password-1", department=department)
        user.groups.add(Group.objects.get(name=role))
        user.areas.add(district)
        users[name] = user
    users["sanitation"] = sanitation
    return users


def cases_bulk(
    count: int,
    grids: list,
    department_id: int,
    category_ids: list[int],
    open_share: float = 7 / 8,
    history_days: int = 30,
) -> None:
    """``count`` cases in one INSERT … SELECT over a number series: ``open_share`` of them open (most, by default),
    reported in the last 30 days, with step deadlines from 5 hours ago to 45 hours ahead (so the deadline job finds
    ≈ 10 % overdue); the rest closed, reported over the last ``history_days``."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection

    grid_ids = [grid.pk for grid in grids]
    open_statuses = ["dispatched", "handling", "dispatched", "handling", "filed", "handled", "checking"]
    sources = ["grid_worker", "grid_worker", "grid_worker", "hotline", "public_web", "supervisor"]
    lights = ["green", "green", "green", "yellow"]

    def choice(values: list, quote: bool = True, key: str = "i") -> str:
        whens = " ".join(f"WHEN {k} THEN {repr(v) if quote else v}" for k, v in enumerate(values))
        return f"(CASE ({key} % {len(values)}) {whens} END)"

    if connection.vendor == "postgresql":
        series = f"generate_series(1, {count}) AS s(i)"
        minutes = "make_interval(mins => ({expr}))"
        at = "(now() + " + minutes + ")"
        prefix = "INSERT INTO cases_case ({columns}) SELECT {values} FROM " + series
        number = "lpad(i::text, 13, '0')"
    else:
        at = "strftime('%Y-%m-%d %H:%M:%f', 'now', ({expr}) || ' minutes')"
        prefix = (
            "INSERT INTO cases_case ({columns}) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {count}) SELECT {{values}} FROM s"
        )
        number = "substr('0000000000000' || i, -13, 13)"
    due = "(((i % 3000) * 7919) % 3000 - 300)"
    is_open = f"(i % 1000 < {round(open_share * 1000)})"
    rank = "(i / 1000)"  # varies among the open cases whatever their share
    created = (
        f"CASE WHEN {is_open} THEN {at.format(expr='-(i % 43200)')} "
        f"ELSE {at.format(expr=f'-(i % {history_days * 1440})')} END"
    )
    columns = {
        "number": number,
        "status": f"CASE WHEN {is_open} THEN {choice(open_statuses, key=rank)} ELSE 'closed' END",
        "source": choice(sources),
        "category_id": choice(category_ids, quote=False),
        "priority": "'normal'",
        "level": "'community'",
        "description": "'路边有暴露垃圾，请及时清理'",
        "address": "''",
        "longitude": "116.4",
        "latitude": "39.9",
        "h3_cell": "''",
        "grid_id": choice(grid_ids, quote=False),
        "main_department_id": str(department_id),
        "step": f"CASE WHEN {is_open} THEN 'handle' ELSE '' END",
        "natural_time": "false" if connection.vendor == "postgresql" else "0",
        "step_limit_minutes": "240",
        "clock_offset_minutes": "0",
        "yellow_at": f"CASE WHEN {is_open} THEN {at.format(expr=due + ' - 60')} END",
        "due_at": f"CASE WHEN {is_open} THEN {at.format(expr=due)} END",
        "escalate_at": f"CASE WHEN {is_open} THEN {at.format(expr=due + ' + 120')} END",
        "light": f"CASE WHEN {is_open} THEN {choice(lights, key=rank)} ELSE 'none' END",
        "resume_status": "''",
        "supervision": "0",
        "expedited": "false" if connection.vendor == "postgresql" else "0",
        "urge_count": "0",
        "rework_count": "0",
        "overdue_count": "0",
        "extension_count": "0",
        "rating": "''",
        "supporters": "0",
        "created_at": created,
        "updated_at": created,
        "version": "0",
    }
    sql = prefix.format(columns=", ".join(columns), values=", ".join(columns.values()))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # every table as autovacuum leaves a database that has settled
        else:
            cursor.execute("ANALYZE")


def grid_centres(grids: list) -> list[tuple[float, float]]:
    """Each grid's centre (longitude, latitude): where a benchmark's reports are made."""
    centres = []
    for grid in grids:
        boundary = grid.boundaries.get()
        centres.append((boundary.centroid_lon, boundary.centroid_lat))
    return centres
