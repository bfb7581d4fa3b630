"""The validated-catalog cache: correct answers whatever state the cache is in."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import sys
from pathlib import Path

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


def signed(pickled: bytes) -> bytes:
    """A cache file holding `pickled`, authenticated with this user's key, as llmpick writes one."""
    mac = hmac.new(cache.key_file().read_bytes(), pickled, hashlib.sha256).digest()
    return cache.MAGIC + mac + len(pickled).to_bytes(8, "little") + pickled


def test_cache_from_another_version_is_ignored():
    load_catalog([FIXTURE_CATALOG], builtin=False)
    [entry] = cache_files()
    data = entry.read_bytes()
    size = int.from_bytes(data[cache._HEAD - 8:cache._HEAD], "little")
    key, catalog = pickle.loads(data[cache._HEAD:cache._HEAD + size])
    catalog.cards.clear()
    entry.write_bytes(signed(pickle.dumps((("other-version",) + key[1:], catalog))))
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6


class Planted:
    """A pickle that runs code when unpickled: what a writer of a shared cache directory could leave there."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "ran"))


def test_a_planted_pickle_in_the_cache_is_never_unpickled(tmp_path):
    marker = tmp_path / "ran"
    load_catalog([FIXTURE_CATALOG], builtin=False)
    [entry] = cache_files()
    entry.write_bytes(pickle.dumps(Planted(marker)))  # a plain pickle, as llmpick once wrote them
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    assert not marker.exists()
    forged = pickle.dumps(Planted(marker))
    entry.write_bytes(cache.MAGIC + b"\0" * 32 + len(forged).to_bytes(8, "little") + forged)  # without the key
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    assert not marker.exists()


def test_a_planted_card_inside_an_authentic_cache_is_never_unpickled(tmp_path):
    """The cards stored after the pickle are checked against digests inside it before they are unpickled."""
    marker = tmp_path / "ran"
    write_card(tmp_path, id="x-target", hf_repos=[], notes="TARGET-MARKER")
    load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    [entry] = cache_files()
    data = entry.read_bytes()
    where = data.find(b"TARGET-MARKER")
    start = data.rfind(b"\x80", 0, where)  # the card's pickle starts with the PROTO opcode
    evil = pickle.dumps(Planted(marker), pickle.HIGHEST_PROTOCOL)
    entry.write_bytes(data[:start] + evil + data[start + len(evil):])
    warm = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert warm.get("x-target").notes == "TARGET-MARKER"  # reread from its file
    assert not marker.exists()


def test_key_file_is_private_and_outside_the_cache_directory():
    load_catalog([FIXTURE_CATALOG], builtin=False)
    key = cache.key_file()
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    assert cache.cache_dir() not in key.parents


def test_key_file_others_can_read_disables_the_cache():
    load_catalog([FIXTURE_CATALOG], builtin=False)
    cache.key_file().chmod(0o644)
    assert cache.load([FIXTURE_CATALOG.resolve()], lambda: []) is None
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6


def test_cache_directory_others_may_write_is_not_used(monkeypatch, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(shared))
    assert len(load_catalog([FIXTURE_CATALOG], builtin=False)) == 6
    assert cache_files() == []  # nothing written there, so nothing read from there


def test_cache_directory_is_made_private(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path / "new"))
    load_catalog([FIXTURE_CATALOG], builtin=False)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700 and len(cache_files()) == 1


def test_same_size_edit_with_the_old_mtime_is_seen(tmp_path):
    path = write_card(tmp_path, id="x-1", hf_repos=[], license="apache-2.0")
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").license == "apache-2.0"
    before = path.stat()
    path.write_text(path.read_text().replace("license: apache-2.0", "license: llama2    "))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").license == "llama2"


def test_relative_and_absolute_spellings_share_one_cache_entry(tmp_path, monkeypatch):
    from llmpick.catalog import loading

    write_card(tmp_path / "cat", id="x-1", hf_repos=[])
    builds = []
    original = loading._build
    monkeypatch.setattr(loading, "_build", lambda files: builds.append(1) or original(files))
    monkeypatch.chdir(tmp_path)
    load_catalog([FIXTURE_CATALOG, "cat"], builtin=False)
    load_catalog([FIXTURE_CATALOG, tmp_path / "cat"], builtin=False)
    load_catalog([FIXTURE_CATALOG, "./cat/"], builtin=False)
    assert builds == [1] and len(cache_files()) == 1
    monkeypatch.chdir(FIXTURE_CATALOG)  # and a card read later from the cache is found from anywhere
    assert load_catalog([FIXTURE_CATALOG, tmp_path / "cat"], builtin=False).get("x-1").id == "x-1"


def test_no_cache_false_means_the_cache_is_used(monkeypatch):
    for value in ("0", "false", "no", "False"):
        monkeypatch.setenv("LLMPICK_NO_CACHE", value)
        assert not cache.disabled()
    monkeypatch.setenv("LLMPICK_NO_CACHE", "false")
    load_catalog([FIXTURE_CATALOG], builtin=False)
    assert len(cache_files()) == 1
    monkeypatch.setenv("LLMPICK_NO_CACHE", "1")
    assert cache.disabled()


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


def test_a_touched_but_unchanged_card_keeps_the_cache_and_an_edit_does_not(tmp_path, monkeypatch):
    # the stat signature changes on a touch; the contents say the cache is still right, so no rebuild is needed
    import os

    from llmpick import load_catalog
    from llmpick.catalog import cache as cache_module
    from tests.conftest import FIXTURE_CATALOG, write_card

    write_card(tmp_path, id="x-1", hf_repos=[])
    load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)  # builds and stores
    os.utime(tmp_path / "x-1.yaml")  # touched: new mtime and ctime, same content
    built = []
    real_store = cache_module.store
    monkeypatch.setattr(cache_module, "store", lambda *a: built.append(1) or real_store(*a))
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 8192
    assert built == []  # served from the cache
    stat = (tmp_path / "x-1.yaml").stat()
    write_card(tmp_path, id="x-1", hf_repos=[], context_length=4096)  # same size and mtime, new content
    os.utime(tmp_path / "x-1.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (tmp_path / "x-1.yaml").stat().st_size == stat.st_size
    assert load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False).get("x-1").context_length == 4096
