"""Local runtimes: models installed on this machine (Ollama, LM Studio, the Hugging Face cache, GGUF files) mapped
to cards, and speed measured on a running server (Ollama, OpenAI-compatible).

May import: llmpick.catalog, llmpick.core. Independent of advice and hub: the CLI stores what `bench` measures
(advice/measured.py) and hands it to the advisor.
"""
