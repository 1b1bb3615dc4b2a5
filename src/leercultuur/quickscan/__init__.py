"""leercultuur.quickscan: the Quickscan web app (extra ``leercultuur[web]``).

Employees of an organisation answer the learning-culture monitor's own questions; the app
protects their anonymity by construction. Public API: ``create_app``, ``Settings``.
"""

from __future__ import annotations

from leercultuur.quickscan.settings import Settings, SettingsError
from leercultuur.quickscan.web.app import create_app

__all__ = ["Settings", "SettingsError", "create_app"]
