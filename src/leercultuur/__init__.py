"""Leercultuur Monitor: the Dutch learning-culture monitor from NEA survey data.

Layers (see ARCHITECTURE.md), importing one way only:
``io`` / ``survey`` -> ``monitor`` -> ``report`` -> adapters ``cli`` and ``quickscan``.
"""

__version__ = "0.1.0"
