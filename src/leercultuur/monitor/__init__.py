"""leercultuur.monitor"""
