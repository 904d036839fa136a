"""Person search within one street's scope over 1,000,000 persons (target p95 ≤ 100 ms on SQLite and on
PostgreSQL), through the same selector and page query as the search page (count + first 50 rows with tags),
beside an unindexed full-scan search of the same rows. Run on SQLite, then with --database-url for PostgreSQL:
  .venv/bin/python bench/person_search.py [--persons 1000000] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from _registry import district_build, people
from _setup import django_setup


def timings(run, values) -> list[float]:
    found = []
    for value in values:
        started = time.perf_counter()
        run(value)
        found.append((time.perf_counter() - started) * 1000)
    return found


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--explain", action="store_true", help="print the query plan of a name search")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role
    from areas.models import Area
    from registry.models import Person
    from registry.selectors import PersonQuery, person_rows, person_search
    from registry.services import name_initials

    grids = district_build()
    started = time.perf_counter()
    initials: dict[str, str] = {}
    batch: list[Person] = []
    samples: list[tuple[str, str, str]] = []
    sample_share = min(1.0, 20_000 / arguments.persons)
    rng = random.Random(3)
    for index, (name, id_number, phone) in enumerate(people(arguments.persons)):
        person = Person(
            grid=grids[index % len(grids)],
            name=name,
            sex="male",
            birth_date="1980-01-01",
            name_initials=initials.setdefault(name, name_initials(name)),
        )
        person.set_id_number(id_number)
        person.set_phone(phone)
        batch.append(person)
        if index % len(grids) < 5 and rng.random() < sample_share:  # people of street 001
            samples.append((name, id_number, phone))
        if len(batch) == 10_000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: loaded {arguments.persons:,} persons in {time.perf_counter() - started:.0f} s")

    user = User.objects.create_user("street", password="x")
    user.groups.add(Group.objects.get(name=Role.STREET_LEADER))
    user.areas.add(Area.objects.get(code="110101001"))

    def page(query: PersonQuery) -> None:
        people_found = person_search(user, query)
        people_found.count()
        list(person_rows(people_found, user)[:50])

    picks = [rng.choice(samples) for _ in range(arguments.queries)]
    if arguments.explain:
        print(person_search(user, PersonQuery(text=picks[0][0][:1])).explain())
        print(person_search(user, PersonQuery(text=picks[0][0][:1])).order_by().values("pk").explain())
    results = {
        "name prefix (surname + first given character)": timings(lambda s: page(PersonQuery(text=s[0][:2])), picks),
        "surname only": timings(lambda s: page(PersonQuery(text=s[0][:1])), picks),
        "pinyin initials": timings(lambda s: page(PersonQuery(text=name_initials(s[0]))), picks),
        "phone (exact, hashed)": timings(lambda s: page(PersonQuery(text=s[2])), picks),
        "ID number (exact, hashed)": timings(lambda s: page(PersonQuery(text=s[1])), picks),
    }
    assert person_search(user, PersonQuery(text=picks[0][1])).count() == 1

    def scan_page(text: str) -> None:
        found = Person.objects.visible_to(user).filter(name__contains=text).order_by("name", "pk")
        found.count()
        list(person_rows(found, user)[:50])

    scan = timings(lambda s: scan_page(s[0][1:3]), picks[:10])
    for label, values in results.items():
        print(f"{label}: p50 {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms (target p95 ≤ 100 ms)")
    worst = max(p95(values) for values in results.values())
    print(
        f"unindexed substring scan: median {statistics.median(scan):.0f} ms (ratio scan/worst indexed p95 = "
        f"{statistics.median(scan) / worst:.1f}x)"
    )


if __name__ == "__main__":
    main()
