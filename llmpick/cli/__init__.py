"""The typer command line: each command parses flags, calls the library, hands the result to a renderer.

May import: every other layer. Nothing imports it.
"""
