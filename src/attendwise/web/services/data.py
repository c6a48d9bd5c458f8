"""Access to the register store from a threaded web server, and a cache of computed figures.

DuckDB lets one process open a store file read-write (or several read-only).  The web process
owns the store: each server thread opens its own connection to it (DuckDB shares one database
instance between connections of a process), so an upload importing on one thread does not stop
the others reading.  Uploads are imported through the same connections, inside DuckDB's own
transaction, so a refused import leaves nothing behind.

Figures are cached by the store's data version (the latest import id), so an upload makes every
cached figure stale at once and nothing is ever served from before it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from attendwise.store import Store

__all__ = ["StoreAccess", "get_access", "reset_access"]

T = TypeVar("T")

#: How long the data version read from the store is trusted before it is read again.
VERSION_SECONDS = 1.0


class Memo:
    """A thread-safe LRU cache that computes each key once, even when asked concurrently.

    Sized for a city: every school's page keeps about six entries (its figures, last year's, the
    page and its rendered body), so 130 schools need ~800; a smaller cache thrashes under load as
    users move between schools, recomputing pages every visit.
    """

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            except BaseException:  # a computation that raises (a refused period, say) leaves no lock behind
                with self._lock:
                    self._key_locks.pop(key, None)
                raise
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._key_locks.pop(key, None)
            return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class StoreAccess:
    """The web process's way into the store: one connection per thread, and the figure cache."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self.memo = Memo()
        self.write_lock = threading.Lock()
        self._version_lock = threading.Lock()
        self._version = 0
        self._version_read_at = -math.inf

    def exists(self) -> bool:
        return self.path.exists()

    def store(self) -> Store:
        """This thread's connection to the store."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, read_only=self.read_only)
            self._local.store = store
        return store

    def version(self) -> int:
        """The data version: the id of the latest import (0 for an empty store).

        Read from the store at most every :data:`VERSION_SECONDS` (a page asks several times, and each
        read is a query); an import through this process calls :meth:`forget_version`, so its own
        uploads show at once. Another process can only import while this one is stopped (DuckDB
        allows one writer), so nothing is missed.
        """
        now = time.monotonic()
        with self._version_lock:
            if now - self._version_read_at < VERSION_SECONDS:
                return self._version
        latest = self.store().latest_import_id()
        with self._version_lock:
            self._version, self._version_read_at = latest, now
            return self._version

    def forget_version(self) -> None:
        """Read the data version from the store on the next request (after an import)."""
        with self._version_lock:
            self._version_read_at = -math.inf

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per data version and key."""
        return self.memo.get((self.version(), *key), compute)

    def is_cached(self, key: tuple[Hashable, ...]) -> bool:
        """Whether :meth:`cached` holds ``key`` for this data version (it may drop it at any time)."""
        return (self.version(), *key) in self.memo


_access: StoreAccess | None = None
_access_lock = threading.Lock()


def get_access() -> StoreAccess:
    """The process's :class:`StoreAccess`, opened on first use from the Django settings."""
    global _access
    if _access is None:
        from django.conf import settings

        with _access_lock:
            if _access is None:
                _access = StoreAccess(
                    Path(settings.ATTENDWISE_STORE), read_only=bool(settings.ATTENDWISE_STORE_READ_ONLY)
                )
    return _access


def reset_access() -> None:
    """Forget the open store (tests switch stores between cases)."""
    global _access
    with _access_lock:
        _access = None
