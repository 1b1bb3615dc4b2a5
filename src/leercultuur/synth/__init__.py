"""Synthetic NEA generator."""
