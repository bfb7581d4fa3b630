"""What each command shows: Reports (rows, JSON data, charts) built from catalog, advice and audit results.

May import: llmpick.advice, llmpick.audit, llmpick.hub, llmpick.catalog, llmpick.core (not render or cli).
"""
