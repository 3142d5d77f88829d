"""The floor under the report benchmarks: what Django costs before a report does anything.

    .venv/bin/python bench/reports_floor.py [--rounds 31] [--database tt_bench] [--smoke]

bench/reports_detailed.py compares each report request with the hand-written SQL giving the
same answer, a ratio limited to 1.5. Part of every request is no report at all: the session
and user lookups, the workspace membership check, the middleware, DRF's request handling, and
for a page the base template (navigation, context processors). This measures those through
the same client, database and login, on the same benchmark workspace (a private database
loaded as bench/reports_detailed.py loads it, with the same options), so the report's own share
of a request shows:

1. an empty page view behind `workspace_view` (session, user, membership; no template);
2. the same view rendering `base.html` with nothing in it (what every page pays);
3. an empty Reports API view (`WorkspaceApiView`: DRF, authentication, permission, JSON).

It prints each median, with the time spent waiting on the database, and the shortest
hand-written SQL the 1.5 limit can be met against at all: a request costs at least floor + the
report's SQL, so (floor + S) / S <= 1.5 needs S >= floor / 0.5, twice the floor, even for a
report whose own Python took no time. It checks that the three views do turn away a visitor
who is not logged in (the checks it measures are really made). `--smoke`: the report
benchmarks' small load, one round. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's modules

from reports_detailed import RATIO_LIMIT
from reports_detailed import SMOKE_DATA
from reports_detailed import add_data_arguments
from reports_detailed import bench_data
from reports_detailed import find_bench
from reports_detailed import medians

from bench import bench_run

ROUTES = {  # what each route is, under /bench-floor/<workspace id>/
    "empty": "empty page view (session, user, membership)",
    "base": "empty page rendering base.html",
    "api": "empty Reports API view (DRF)",
}


def floor_routes() -> None:
    """Serve the three empty views beside the project's URLs (a URL conf of this script's)."""
    from django.conf import settings
    from django.http import HttpRequest
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.urls import path
    from rest_framework.request import Request
    from rest_framework.response import Response

    import timetracker.urls
    from workspaces.access import workspace_view
    from workspaces.rest.base import WorkspaceApiView

    @workspace_view()
    def empty_page(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    @workspace_view()
    def base_page(request: HttpRequest) -> HttpResponse:
        return render(request, "base.html", {"nav": "reports"})

    class EmptyApi(WorkspaceApiView):
        def post(self, request: Request, ws: str) -> Response:
            return Response({"ok": True})

    urls = types.ModuleType("bench_floor_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("bench-floor/<str:ws>/empty", empty_page),
        path("bench-floor/<str:ws>/base", base_page),
        path("bench-floor/<str:ws>/api", EmptyApi.as_view()),
        *timetracker.urls.urlpatterns,
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__


def run(rounds: int, out: Callable[[str], None] = print) -> dict[str, Any]:
    from django.test import Client

    floor_routes()
    bench = find_bench()
    client = Client()
    client.force_login(bench.owner)
    base = f"/bench-floor/{bench.workspace_id}"

    def get(url: str) -> Callable[[], None]:
        def go() -> None:
            assert client.get(url).status_code == 200

        return go

    def post(url: str) -> Callable[[], None]:
        def go() -> None:
            assert client.post(url, {}, content_type="application/json").status_code == 200

        return go

    runs = {
        ROUTES["empty"]: get(f"{base}/empty"),
        ROUTES["base"]: get(f"{base}/base"),
        ROUTES["api"]: post(f"{base}/api"),
    }
    result = medians(runs, rounds)
    for name, timing in result.items():
        out(
            f"{name:<46} {timing.ms:6.1f} ms (of it SQL {timing.db_ms:4.1f} ms): the 1.5 limit "
            f"needs hand-written SQL of at least {timing.ms / (RATIO_LIMIT - 1):5.1f} ms "
            f"for a report that adds only its SQL"
        )
    return {name: timing.ms for name, timing in result.items()}


def check_guarded() -> None:
    """Each floor route turns away a visitor who is not logged in: the login and membership
    checks it claims to measure are made (run after `run`, which serves the routes)."""
    from django.test import Client

    bench = find_bench()
    visitor = Client()
    base = f"/bench-floor/{bench.workspace_id}"
    answers = {
        "empty": visitor.get(f"{base}/empty").status_code,
        "base": visitor.get(f"{base}/base").status_code,
        "api": visitor.post(f"{base}/api", {}, content_type="application/json").status_code,
    }
    let_in = {ROUTES[route]: code for route, code in answers.items() if code < 300}
    if let_in:
        raise SystemExit(f"check failed: answered a visitor who is not logged in: {let_in}")
    codes = ", ".join(str(code) for code in answers.values())
    print(f"check: the three views turn away a visitor who is not logged in ({codes})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=31)
    add_data_arguments(parser)
    args = bench_run.parse_args(parser, smoke={"rounds": 1, **SMOKE_DATA})
    with bench_data(args):
        print(f"Median of {args.rounds} rounds on the benchmark workspace:")
        run(args.rounds)
        check_guarded()


if __name__ == "__main__":
    main()
