"""The advisor: requirements and profiles, hardware, memory estimates, fit, hard rules and scores.

May import: llmpick.catalog, llmpick.core.
"""
