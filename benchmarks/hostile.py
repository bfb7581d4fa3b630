"""Time llmpick on hostile inputs at the size limit: each must be handled in under 2 s per MB (issue 19, item 3).

Usage: python benchmarks/hostile.py [--scale 1.0] [--only NAME,...]
(run from the repository, with llmpick importable by this Python)

Each input is generated at the 2 MB file limit (--scale shrinks it) into a temporary directory and given to
`llmpick validate`, `llmpick audit --scan` or `llmpick audit --manifest` as a whole process. The table shows the
exit code, the seconds, the seconds per MB and whether the budget is met. Any exit code but 0, 1 or 2 (or a
traceback) fails the run as well. tests/test_hostile.py runs small versions of the same inputs through the CLI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 2 * 1024 * 1024  # core/yamlio.MAX_FILE_BYTES and audit/scan/base.MAX_FILE_BYTES
BUDGET = 2.0  # seconds per MB
CARD = (ROOT / "catalog" / "models" / "mistral-7b-v0.1.yaml").read_text(encoding="utf-8")


def _fill(unit: Callable[[int], str], size: int, head: str = "", tail: str = "") -> str:
    """head + unit(0) + unit(1) + ... + tail, as many units as fit in `size` characters."""
    parts, total, index = [head], len(head) + len(tail), 0
    while True:
        piece = unit(index)
        if total + len(piece) > size:
            break
        parts.append(piece)
        total += len(piece)
        index += 1
    return "".join(parts) + tail


def _card(directory: Path, replace: str, by: str, head: str = "") -> list[str]:
    assert replace in CARD
    (directory / "models").mkdir(parents=True)
    (directory / "models" / "mistral-7b-v0.1.yaml").write_text(head + CARD.replace(replace, by), encoding="utf-8")
    return ["validate", str(directory)]


def _level(key: str, first: str) -> Callable[[int], str]:
    """Line i of a billion laughs: nine aliases of line i - 1 (once expanded, 9**i values)."""
    return lambda i: f"{key}{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" if i else f"{key}0: &a0 [{first}]\n"


def scan_alias_bomb(directory: Path, size: int) -> list[str]:
    (directory / "bomb.yaml").write_text(_fill(_level("a", "model, x"), size - 20, tail="model: org/name\n"))
    return ["audit", "--scan", str(directory)]


def card_alias_bomb(directory: Path, size: int) -> list[str]:
    depth = 30  # 9**30 values once expanded, and within the 32 levels of nesting a card may have
    head = "".join(map(_level("x", "text, x"), range(depth)))  # each line is also an unknown key
    return _card(directory, "modalities: [text]", f"modalities: *a{depth - 1}", head=head)


def scan_long_line(directory: Path, size: int) -> list[str]:
    (directory / "long.json").write_text('{"a": "' + _fill(lambda i: "model:", size - 10) + '"}')
    (directory / "long.yaml").write_text("[" + _fill(lambda i: "model_name: x:", size - 2) + "\n")
    (directory / "long.toml").write_text(_fill(lambda i: "x" * 1000, size) + "\n")
    (directory / "long.py").write_text("(" + _fill(lambda i: "from_pretrained('a/b' 'x", size - 2) + "\n")  # not Python
    (directory / "long.sh").write_text(_fill(lambda i: "--model-id hf download ollama run ", size) + "\n")
    return ["audit", "--scan", str(directory)]


def scan_many_references(directory: Path, size: int) -> list[str]:
    (directory / "run.sh").write_text(_fill(lambda i: f"ollama pull model-{i}:7b\n", size))
    (directory / "cfg.yaml").write_text(_fill(lambda i: f"- model: org/model-{i}\n", size))
    return ["audit", "--scan", str(directory)]


def card_many_aliases(directory: Path, size: int) -> list[str]:
    names = _fill(lambda i: f"  - alias-number-{i}\n", size - len(CARD) - 20)
    return _card(directory, "languages:", "aliases:\n" + names + "languages:")


def manifest_yaml(directory: Path, size: int) -> list[str]:
    path = directory / "llmpick.yaml"
    path.write_text(_fill(lambda i: f"  - org/model-{i}\n", size, head="models:\n"))
    return ["audit", "--manifest", str(path)]


def manifest_toml(directory: Path, size: int) -> list[str]:
    path = directory / "pyproject.toml"
    path.write_text(_fill(lambda i: f'  "org/model-{i}",\n', size, head="[tool.llmpick]\nmodels = [\n", tail="]\n"))
    return ["audit", "--manifest", str(path)]


def deep_nesting(directory: Path, size: int) -> list[str]:
    (directory / "scan").mkdir()
    (directory / "scan" / "deep.yaml").write_text("model: " + "[" * (size // 2 - 10) + "\n")
    (directory / "scan" / "deep.json").write_text('{"model": ' + "[" * (size // 2 - 20) + "]" * (size // 2 - 20) + "}")
    return ["audit", "--scan", str(directory / "scan")]


def card_deep_nesting(directory: Path, size: int) -> list[str]:
    return _card(directory, "modalities: [text]", "modalities: " + "[" * (size - len(CARD) - 20))


INPUTS: dict[str, Callable[[Path, int], list[str]]] = {
    "scan: alias bomb": scan_alias_bomb,
    "card: alias bomb": card_alias_bomb,
    "scan: long lines": scan_long_line,
    "scan: many references": scan_many_references,
    "card: many aliases": card_many_aliases,
    "manifest: yaml": manifest_yaml,
    "manifest: toml": manifest_toml,
    "scan: deep nesting": deep_nesting,
    "card: deep nesting": card_deep_nesting,
}


def megabytes(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 2 MB limit per file")
    parser.add_argument("--only", default="", help="comma-separated input names (default: all)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a command is called hung")
    parser.add_argument("--budget", type=float, default=BUDGET,
                        help=f"seconds per MB allowed (default {BUDGET:g}; a test on a busy machine gives more)")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()] or list(INPUTS)
    work = Path(tempfile.mkdtemp(prefix="llmpick-hostile-"))
    env = {**os.environ, "LLMPICK_CACHE_DIR": str(work / "cache"), "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    failed = False
    print(f"{'input':<24} {'command':<16} {'MB':>6} {'exit':>4} {'seconds':>8} {'s/MB':>6}  "
          f"budget {args.budget:g} s/MB "
          "(a file under 1 MB counts as 1 MB: start-up alone takes about 0.4 s)")
    for index, name in enumerate(wanted):
        directory = work / f"input-{index}"
        directory.mkdir()
        cmd = INPUTS[name](directory, int(LIMIT * args.scale))
        size = megabytes(directory)
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "llmpick", *cmd], env=env, capture_output=True, text=True,
                                  timeout=args.timeout, check=False)
            code, error = done.returncode, done.stderr
        except subprocess.TimeoutExpired:
            code, error = None, "hung"
        seconds = time.perf_counter() - start
        ok = code in (0, 1, 2) and "Traceback" not in error and seconds / max(size, 1.0) <= args.budget
        failed |= not ok
        label = " ".join(cmd[:2]) if cmd[1].startswith("-") else cmd[0]
        print(f"{name:<24} {label:<16} {size:6.2f} {code if code is not None else '-':>4} "
              f"{seconds:8.2f} {seconds / max(size, 1.0):6.2f}  {'ok' if ok else 'OVER'}", flush=True)
        if not ok:
            print("   " + (error.strip().splitlines() or [""])[-1][:200])
    shutil.rmtree(work, ignore_errors=True)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
