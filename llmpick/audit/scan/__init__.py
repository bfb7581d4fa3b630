"""Find references to models in a project's source, config, Dockerfiles and caches.

One module per file kind (python, notebook, config, shell, modelfile, hf_cache); registry.py says which one
reads which file and runs scan(); base.py holds what they share (Reference, ScanResult, walking, limits),
names.py what a model name looks like, commands.py the command lines several kinds contain.
May import: llmpick.core.
"""

from .base import Reference, ScanResult, relative
from .hf_cache import default_hf_cache, scan_hf_cache
from .registry import scan

__all__ = ["Reference", "ScanResult", "default_hf_cache", "relative", "scan", "scan_hf_cache"]
