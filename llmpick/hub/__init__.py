"""The Hugging Face Hub: the client, card drafts imported from the Hub, drift of cards against it.

May import: llmpick.catalog, llmpick.core.
"""
