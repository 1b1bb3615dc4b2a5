"""leercultuur.quickscan"""
