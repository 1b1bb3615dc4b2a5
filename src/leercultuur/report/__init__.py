"""leercultuur.report"""
