"""leercultuur.io"""
