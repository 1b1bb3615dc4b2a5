"""Fixtures of the report tests: a small monitor result with known content, rendered once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from result_factory import small_result

from leercultuur.monitor import MonitorResult
from leercultuur.report import ReportFiles, render_report


@pytest.fixture(scope="session")
def result() -> MonitorResult:
    return small_result()


@pytest.fixture(scope="session")
def rendered(result: MonitorResult, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """The Dutch report of the small result (HTML, charts, Excel, findings)."""
    return render_report(result, tmp_path_factory.mktemp("report-nl"), lang="nl")


@pytest.fixture(scope="session")
def rendered_en(result: MonitorResult, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return render_report(result, tmp_path_factory.mktemp("report-en"), lang="en")
