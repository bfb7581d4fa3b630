"""A parallel cold build leaves no worker behind when its parent is killed or told to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG and fork are Linux's")

ROOT = Path(__file__).resolve().parent.parent

# A build whose workers block (as a huge or stalled card would): each worker prints its pid, then sleeps.
SCRIPT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from llmpick.catalog import loading

    def stalled(paths):
        os.write(1, b"%d\\n" % os.getpid())  # one write: the workers' lines never interleave
        time.sleep(120)
        return []

    loading._read_chunk = stalled
    loading.PARALLEL_MIN_CARDS, loading.CHUNK = 2, 1
    os.write(1, b"%d\\n" % os.getpid())
    loading._read_cards([Path("a.yaml"), Path("b.yaml")])
""")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(how):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the build runs in one process on one CPU")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, env=env, text=True)
    pids = [int(parent.stdout.readline()) for _ in range(3)]  # the parent, then its two workers
    workers = pids[1:]
    try:
        os.kill(parent.pid, how)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in workers), "workers outlived their parent"
        assert parent.stdout.read() == ""  # EOF: no worker holds the caller's pipe
        if how == signal.SIGTERM:
            assert parent.returncode == 143
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
