"""The validated-catalog cache: correct answers whatever state the cache is in."""

from __future__ import annotations

import os
import pickle
import sys

from llmpick import load_catalog
from llmpick.catalog import cache
from tests.conftest import FIXTURE_CATALOG, write_card


def cache_files():
    return list(cache.cache_dir().glob("catalog-*.pickle"))


def test_second_load_uses_the_cache():
    first = load_catalog([FIXTURE_CATALOG], builtin=False)
    assert len(cache_files()) == 1
    second = load_catalog([FIXTURE_CATALOG], builtin=False)
    assert second.cards == first.cards


def test_changed_card_is_seen(tmp_path):
    path = write_card(tmp_path, id="x-1", hf_repos=[], context_length=4096)
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 4096
    write_card(tmp_path, id="x-1", hf_repos=[], context_length=8192)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 8192


def test_corrupt_or_truncated_cache_is_rebuilt():
    load_catalog([FIXTURE_CATALOG], builtin=False)
    [entry] = cache_files()
    entry.write_bytes(entry.read_bytes()[:50])
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    entry.write_bytes(b"not a pickle")
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6


def test_cache_from_another_version_is_ignored():
    load_catalog([FIXTURE_CATALOG], builtin=False)
    [entry] = cache_files()
    key, catalog = pickle.loads(entry.read_bytes())
    catalog.cards.clear()
    entry.write_bytes(pickle.dumps((("other-version",) + key[1:], catalog)))
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6


def test_read_only_cache_directory_still_works(monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(locked / "sub"))
    try:
        assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    finally:
        locked.chmod(0o700)


def test_damaged_card_inside_the_cache_is_reread_from_its_file(tmp_path):
    """A flipped byte inside one cached card (the file still unpickles) gives the card from its YAML file."""
    path = write_card(tmp_path, id="x-damaged", hf_repos=[], notes="UNIQUE-MARKER-" + "z" * 40)
    fresh = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-damaged")
    [entry] = cache_files()
    data = bytearray(entry.read_bytes())
    where = data.find(b"UNIQUE-MARKER-")
    assert where > 0, "the card's notes should be in the cache"
    data[where + 20] ^= 0x01  # 'z' -> '{': still a valid pickle, wrong content
    entry.write_bytes(bytes(data))
    reloaded = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert reloaded.get("x-damaged") == fresh
    assert reloaded.get("x-damaged").notes.endswith("z" * 40)
    assert path.exists()


def test_unreadable_card_blob_is_reread_from_its_file(tmp_path):
    write_card(tmp_path, id="x-broken", hf_repos=[], notes="OTHER-MARKER-" + "q" * 40)
    fresh = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-broken")
    [entry] = cache_files()
    data = bytearray(entry.read_bytes())
    where = data.find(b"OTHER-MARKER-")
    data[where - 3: where + 13] = b"\xff" * 16  # the string's opcode and length are garbage now
    entry.write_bytes(bytes(data))
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-broken") == fresh


def test_cache_cut_inside_the_cards_is_rebuilt():
    fresh = load_catalog([FIXTURE_CATALOG], builtin=False)
    [entry] = cache_files()
    entry.write_bytes(entry.read_bytes()[:-10])  # the pickle is whole; the cards written after it are not
    again = load_catalog([FIXTURE_CATALOG], builtin=False)
    assert dict(again.cards) == dict(fresh.cards)


def test_cache_file_overwritten_while_its_cards_are_unread(tmp_path):
    """Cards are read from the cache file when asked for: if it changed meanwhile, each is reread from its YAML."""
    write_card(tmp_path, id="x-late", hf_repos=[], notes="LATE-MARKER")
    fresh = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    warm = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    [entry] = cache_files()
    size = entry.stat().st_size
    with open(entry, "r+b") as handle:  # in place, as no llmpick writer does: the open file sees it
        handle.seek(size // 2)
        handle.write(b"\0" * (size - size // 2))
    assert dict(warm.cards) == dict(fresh.cards)
    assert warm.get("x-late").notes == "LATE-MARKER"


def remove_after(monkeypatch, target, name: str, victim) -> None:
    """Make llmpick's `name` in module `target` delete `victim` right after a call that lists it or is given it:
    a card removed mid-run."""
    original = getattr(target, name)

    def then_remove(*args):
        result = original(*args)
        listed = [str(path) for value in (*args, result) if isinstance(value, list) for path in value]
        if str(victim) in listed:
            victim.unlink(missing_ok=True)
        return result

    monkeypatch.setattr(target, name, then_remove)


def test_card_removed_between_listing_and_reading_is_listed_again(tmp_path, monkeypatch):
    from llmpick.catalog import loading as catalog_module

    write_card(tmp_path, id="x-stays", hf_repos=[])
    gone = write_card(tmp_path, id="x-gone", hf_repos=[])
    remove_after(monkeypatch, catalog_module, "_yaml_files", gone)  # gone before its stat
    loaded = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert "x-stays" in loaded.cards and "x-gone" not in loaded.cards


def test_card_removed_between_stat_and_read_is_listed_again(tmp_path, monkeypatch):
    write_card(tmp_path, id="x-stays", hf_repos=[])
    gone = write_card(tmp_path, id="x-gone", hf_repos=[])
    remove_after(monkeypatch, cache, "fingerprint", gone)  # stat taken, then the file goes before it is read
    loaded = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert "x-stays" in loaded.cards and "x-gone" not in loaded.cards


def test_card_changed_while_the_catalog_is_built_is_never_served_stale(tmp_path, monkeypatch):
    path = write_card(tmp_path, id="x-1", hf_repos=[], context_length=4096)
    original = cache.fingerprint

    def then_edit(files):
        key = original(files)
        if path.read_text().count("4096"):
            write_card(tmp_path, id="x-1", hf_repos=[], context_length=8192)
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        return key

    monkeypatch.setattr(cache, "fingerprint", then_edit)
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 8192
    monkeypatch.setattr(cache, "fingerprint", original)
    # the entry stored by that run carries the stats from before the edit, so the next run rebuilds
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 8192


def test_catalog_that_keeps_changing_is_one_clear_error(tmp_path, monkeypatch):
    from llmpick.catalog import loading as catalog_module
    from tests.conftest import run

    write_card(tmp_path, id="x-stays", hf_repos=[])
    original = catalog_module._yaml_files
    monkeypatch.setattr(catalog_module, "_yaml_files", lambda root: [*original(root), str(root / "vanished.yaml")])
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    result = run("list", "--catalog", str(tmp_path))
    assert result.exit_code == 2
    assert "catalog files kept disappearing while they were read (3 attempts)" in result.stderr
    assert "Traceback" not in result.output


def test_large_cache_is_checked_by_a_forked_child_with_the_same_answers(tmp_path, monkeypatch):
    forks = []
    real_fork = os.fork

    def counting_fork():
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(cache, "BACKGROUND_CHECK_BYTES", 0)  # every cache counts as large
    monkeypatch.setattr(os, "fork", counting_fork)
    path = write_card(tmp_path, id="x-1", hf_repos=[], context_length=4096)
    cold = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    warm = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert warm.cards == cold.cards and len(forks) == (1 if sys.platform == "linux" else 0)
    write_card(tmp_path, id="x-1", hf_repos=[], context_length=8192)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 8192


def test_check_without_fork_is_done_in_process(tmp_path, monkeypatch):
    def no_fork():
        raise OSError("fork not allowed here")

    monkeypatch.setattr(cache, "BACKGROUND_CHECK_BYTES", 0)
    monkeypatch.setattr(os, "fork", no_fork)
    load_catalog([FIXTURE_CATALOG], builtin=False)
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    assert len(cache_files()) == 1


def test_card_removed_while_the_child_checks_is_listed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "BACKGROUND_CHECK_BYTES", 0)
    write_card(tmp_path, id="x-stays", hf_repos=[])
    gone = write_card(tmp_path, id="x-gone", hf_repos=[])
    load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    gone.unlink()
    loaded = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert "x-stays" in loaded.cards and "x-gone" not in loaded.cards


def test_no_fork_while_other_threads_run(monkeypatch):
    import threading

    forks = []

    def counting_fork():
        forks.append(1)
        raise OSError("counted, not forked")

    monkeypatch.setattr(cache, "BACKGROUND_CHECK_BYTES", 0)
    load_catalog([FIXTURE_CATALOG], builtin=False)
    monkeypatch.setattr(os, "fork", counting_fork)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    finally:
        stop.set()
        worker.join()
    assert forks == []
    load_catalog([FIXTURE_CATALOG], builtin=False)
    assert forks == ([1] if sys.platform == "linux" else [])  # alone again, it would fork
