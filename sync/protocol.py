"""Protocol versions: what a client speaks, and how older mutations are brought up to date.

A client names its version in the ``Genba-Protocol`` header (none means 1, the contract as
first published). The server accepts versions from ``OLDEST`` to ``CURRENT``: mutations of an
older version pass through ``UPGRADES[v]`` (v → v+1) in turn before they apply. A client older
than the server's minimum is told to update; it keeps its outbox and sends it once updated.

Version 1 is the only one so far, so ``UPGRADES`` is empty: the first incompatible change of
an entity's fields adds version 2 and the function that rewrites a version-1 mutation.
"""

from collections.abc import Callable

CURRENT = 1
OLDEST = 1
UPGRADES: dict[int, Callable[[dict], dict]] = {}


class UnsupportedProtocol(ValueError):
    """The client speaks a version this server cannot take."""

    def __init__(self, version, too_old):
        super().__init__(version)
        self.version = version
        self.too_old = too_old


def check(version, minimum=OLDEST):
    if version < max(minimum, OLDEST):
        raise UnsupportedProtocol(version, too_old=True)
    if version > CURRENT:
        raise UnsupportedProtocol(version, too_old=False)


def upgrade(mutations, version):
    """Rewrite mutations of ``version`` into the current version's shape."""
    for step in range(version, CURRENT):
        mutations = [UPGRADES[step](m) if isinstance(m, dict) else m for m in mutations]
    return mutations
