"""bench/reports_floor.py runs: its three empty views answer through the project's login and
membership check, on a small benchmark load, and the URL conf it adds goes away after."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.urls import Resolver404
from django.urls import resolve

from tests.reports.test_bench_loader import load

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_floor_benchmark_measures_its_three_empty_views(settings):
    settings.API_THROTTLE_RATE_PER_SECOND = 0
    settings.ROOT_URLCONF = settings.ROOT_URLCONF  # undone after the test, with the bench's
    load(entries=50, members=2)
    sys.path.insert(0, str(BENCH))
    try:
        import reports_floor
    finally:
        sys.path.remove(str(BENCH))
    lines: list[str] = []
    figures = reports_floor.run(rounds=1, out=lines.append)
    assert len(figures) == 3 and all(ms > 0 for ms in figures.values())
    assert all("needs hand-written SQL of at least" in line for line in lines)
    assert resolve("/bench-floor/x/empty")  # served while the test's settings hold


def test_the_floor_routes_are_not_the_projects():
    """Run after the test above (file order): its URL conf did not outlive it."""
    with pytest.raises(Resolver404):
        resolve("/bench-floor/x/empty")
