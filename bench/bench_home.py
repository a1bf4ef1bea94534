"""Benchmark: the home page's to-do list in the generated 20,000-officer agency.

    DEBUG=1 .venv/bin/python -m bench.bench_home [PEOPLE]

Round 2569/1 in assessment, every officer's plan approved, half of them
assessed; the home page timed for an officer, the largest group's head, the
department head (whose to-dos walk the whole department's tree) and HR.
Goal: each under 100 ms (server time), the query count flat.
"""

import sys
import time

from bench import env

PEOPLE = 20_000


def _round_with_plans():
    from appraisals.models import Appraisal
    from indicators.models import Plan, Round
    from orgchart.models import Kind, Node

    start, end = Round.default_dates(2569, 1)
    the_round = Round.objects.create(
        fiscal_year=2569, number=1, start=start, end=end, status=Round.Status.ASSESSMENT
    )
    people = list(Node.objects.filter(kind=Kind.INDIVIDUAL).values_list("pk", flat=True))
    plans = [Plan(round=the_round, owner_id=pk, status=Plan.Status.APPROVED) for pk in people]
    Plan.objects.bulk_create(plans, batch_size=2000)
    assessed = Plan.objects.filter(round=the_round).values_list("pk", flat=True)[::2]
    Appraisal.objects.bulk_create(
        [Appraisal(plan_id=pk, status=Appraisal.Status.ASSESSED) for pk in assessed],
        batch_size=2000,
    )
    return len(plans)


def _measure(agency) -> None:
    from django.test import Client

    from orgchart.models import Node

    department = Node.objects.get(code=agency.department["code"])
    group = Node.objects.get(code=agency.largest_group()["code"])
    people = {
        "an officer": group.children.filter(is_head=False, user__isnull=False).first(),
        f"the head of {group.code} ({group.children.count()} people)": group.children.filter(
            is_head=True
        ).first(),
        "the department head": department.children.filter(is_head=True).first(),
        "HR": Node.objects.get(code=agency.hr["code"]),
    }
    for label, node in people.items():
        if node is None or node.user_id is None:
            print(f"{label}: skipped, no such person with an account")
            continue
        client = Client(HTTP_HOST="localhost")
        client.force_login(node.user)
        result = env.time_page(client, "/")
        print(
            f"home as {label}: {result['median_ms']:.1f} ms median, "
            f"{result['queries']} queries, HTTP {result['status']}"
        )


def main(people: int = PEOPLE) -> None:
    env.setup()
    from bench.generate import build_in_db, make_agency

    print(f"== bench_home: {people:,} officers ==")
    env.fresh_database()
    start = time.perf_counter()
    agency = make_agency(people=people)
    build_in_db(agency)
    plans = _round_with_plans()
    print(f"built the agency and {plans:,} approved plans in {time.perf_counter() - start:.1f} s")
    _measure(agency)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
