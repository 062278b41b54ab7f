"""A Merkle tree over the ledger's chain (RFC 9162): a statement's release proven with ~24 hashes at 10M entries.

The hash chain proves the order of entries but asks a verifier for every entry before the one they care
about. The Merkle tree over the same entries (leaf i: the hash of the entry with seq i + 1) lets anyone
check that one entry is in a signed checkpoint's tree with log2(size) hashes (`inclusion_proof`,
`verify_inclusion`). The tree is kept in tiles of 256 hashes, as C2SP tlog-tiles does: level 0 holds the
leaves, level L the roots of the full tiles of level L - 1, so any node is at most 128 hashes away from
what is stored (`Tree.node`), and 10M entries take about 40,000 rows. Tiles are extended as checkpoints
are signed (`Tree.extend`); nothing else writes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from workflow.db import Base

TILE = 256
TILE_HEIGHT = 8
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry_hash: str) -> bytes:
    """Return the leaf of a ledger entry: SHA-256(0x00 || the entry's chain hash)."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Return the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash of leaf hashes (RFC 9162 2.1.1)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def inclusion_proof(index: int, size: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    """Return the audit path of leaf `index` in the tree of `size` leaves, deepest first (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    return path[::-1]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """Say whether the path proves `leaf` is leaf `index` of the tree of `size` with this root (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


class LedgerTile(Base):
    """Up to 256 consecutive node hashes at height 8 × level of the ledger's Merkle tree."""

    __tablename__ = "ledger_tiles"

    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    idx: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    hashes: Mapped[bytes] = mapped_column(sa.LargeBinary)


class Tree:
    """The ledger's Merkle tree as its tiles hold it, read and extended in one session."""

    def __init__(self, session: Session):
        self.session = session
        self._tiles: dict[tuple[int, int], bytes] = {}

    def size(self) -> int:
        """Return how many entries the tree holds."""
        last = self.session.execute(
            sa.select(LedgerTile.idx, sa.func.length(LedgerTile.hashes))
            .where(LedgerTile.level == 0)
            .order_by(LedgerTile.idx.desc())
            .limit(1)
        ).first()
        return 0 if last is None else last[0] * TILE + last[1] // 32

    def _tile(self, level: int, idx: int) -> bytes:
        key = (level, idx)
        if key not in self._tiles:
            found = self.session.get(LedgerTile, key)
            self._tiles[key] = bytes(found.hashes) if found is not None else b""
        return self._tiles[key]

    def node(self, height: int, index: int) -> bytes:
        """Return the root of the full subtree of 2**height leaves starting at leaf index * 2**height."""
        level, rest = divmod(height, TILE_HEIGHT)
        first = index << rest
        tile = self._tile(level, first // TILE)
        offset = (first % TILE) * 32
        hashes = [tile[i : i + 32] for i in range(offset, offset + (32 << rest), 32)]
        if len(hashes) != 1 << rest or any(len(h) != 32 for h in hashes):
            raise LookupError(f"the tree holds no full subtree of height {height} at {index}")
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def subtree(self, start: int, end: int) -> bytes:
        """Return the Merkle tree hash of leaves start..end (RFC 9162's MTH(D[start:end]))."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = _split(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int) -> bytes:
        """Return the tree's root at `size` entries."""
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def proof(self, index: int, size: int) -> list[bytes]:
        """Return the inclusion proof of leaf `index` in the tree at `size`."""
        return inclusion_proof(index, size, self.subtree)

    def extend(self, hashes: Callable[[int, int], Sequence[str]], size: int) -> None:
        """Add the entries up to `size` (their chain hashes from `hashes(first_seq, last_seq)`), tile by tile."""
        count = self.size()
        counts = [count]
        while counts[-1] >= TILE:
            counts.append(counts[-1] // TILE)
        dirty: set[tuple[int, int]] = set()

        def append(level: int, value: bytes) -> None:
            while len(counts) <= level:
                counts.append(0)
            idx = counts[level] // TILE
            tile = self._tile(level, idx) + value
            self._tiles[(level, idx)] = tile
            dirty.add((level, idx))
            counts[level] += 1
            if counts[level] % TILE == 0:  # a full tile's root is the next level's next hash
                append(level + 1, root_of([tile[i : i + 32] for i in range(0, len(tile), 32)]))

        for first in range(count + 1, size + 1, 10_000):
            for entry_hash in hashes(first, min(size, first + 9_999)):
                append(0, leaf_hash(entry_hash))
        for level, idx in sorted(dirty):
            row = self.session.get(LedgerTile, (level, idx))
            if row is None:
                self.session.add(LedgerTile(level=level, idx=idx, hashes=self._tiles[(level, idx)]))
            else:
                row.hashes = self._tiles[(level, idx)]
        self.session.flush()
