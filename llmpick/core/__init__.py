"""Foundations: errors and exit codes, atomic output, safe YAML, vocabularies, parsing of sizes, the report model.

May import: nothing else of llmpick.
"""
