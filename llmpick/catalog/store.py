"""CardStore: cards by id, pickled one by one into one blob, so a cached catalog unpickles only what is read; each
pickled card is checked against its digest before it is unpickled."""

from __future__ import annotations

import hashlib
import pickle
from array import array
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import CatalogError, Problem

if TYPE_CHECKING:
    from .cache import Spill
    from .cards import Card


DIGEST = 16


def _digest(pickled: bytes) -> bytes:
    return hashlib.blake2b(pickled, digest_size=DIGEST).digest()


class CardStore(MutableMapping[str, "Card"]):
    """Cards by id, pickled one by one into one blob: a cached catalog unpickles only the cards a command reads."""

    def __init__(self) -> None:
        from .cache import Spill

        self._items: dict[str, Card | int] = {}  # a card, or its number in the blob until first read
        self._blob = Spill()
        self._offsets: Sequence[int] = ()
        self._pending = 0  # cards not read yet
        self._checksums = b""  # the BLAKE2b digest of each pickled card, DIGEST bytes each
        self._origins: dict[str, str] | None = None
        self._reread: Callable[[Path], Card] | None = None

    def __getitem__(self, card_id: str) -> Card:
        item = self._items[card_id]
        if type(item) is int:
            item = self._items[card_id] = self._unpickle(card_id, item)
            self._pending -= 1
            if not self._pending:  # every card read (export, list): the pickled copies only take memory now
                self._release()
        return item  # type: ignore[return-value]

    def _release(self) -> None:
        from .cache import Spill

        self._blob, self._offsets = Spill(), ()

    def peek(self, card_id: str) -> Card:
        """The card, without keeping it: a command that reads every card once (export) holds one at a time."""
        item = self._items[card_id]
        return self._unpickle(card_id, item) if type(item) is int else item  # type: ignore[return-value]

    def _pickled(self, number: int) -> bytes:
        return self._blob[self._offsets[number]:self._offsets[number + 1]]

    def _unpickle(self, card_id: str, number: int) -> Card:
        data = self._pickled(number)
        if self._checksums and _digest(data) == self._checksums[number * DIGEST:(number + 1) * DIGEST]:
            try:
                return pickle.loads(data)
            except Exception:  # damaged in the cache file: read the card's own file instead
                pass
        if self._origins is None or self._reread is None:
            raise CatalogError([Problem("catalog cache", None, card_id, "damaged cached card and no file to reread")])
        return self._reread(Path(self._origins[card_id]))

    def recover_from(self, origins: dict[str, str], reread: Callable[[Path], Card]) -> None:
        """Where a card whose cached copy is damaged came from, and how to read it from there again."""
        self._origins, self._reread = origins, reread

    def __setitem__(self, card_id: str, card: Card) -> None:
        self._forget(card_id)
        self._items[card_id] = card

    def __delitem__(self, card_id: str) -> None:
        self._forget(card_id)
        del self._items[card_id]

    def clear(self) -> None:  # without reading every card, as MutableMapping.clear would
        self._items.clear()
        self._pending = 0
        self._release()

    def _forget(self, card_id: str) -> None:
        if type(self._items.get(card_id)) is int:
            self._pending -= 1

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"CardStore({len(self)} cards)"

    def __getstate__(self) -> tuple[list[str], Spill, array[int], bytes]:
        from .cache import Spill

        blob, offsets, checksums = bytearray(), array("q", [0]), bytearray()  # one growing buffer: peak memory
        for item in self._items.values():
            pickled = self._pickled(item) if type(item) is int else pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
            blob += pickled
            offsets.append(len(blob))
            checksums += _digest(pickled)
        # the cache keeps a Spill outside its authenticated pickle; the digests, inside it, vouch for each card
        return list(self._items), Spill(blob), offsets, bytes(checksums)

    def __setstate__(self, state: tuple[list[str], Spill, array[int], bytes]) -> None:
        ids, self._blob, self._offsets, self._checksums = state
        self._items = {card_id: number for number, card_id in enumerate(ids)}
        self._pending = len(ids)
        self._origins = self._reread = None
