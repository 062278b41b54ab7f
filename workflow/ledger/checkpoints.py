"""Signed checkpoints of the ledger's head, and bundles that verify without the database.

A bare hash chain shows that no entry was changed in place, but not that the tail was not cut
off, nor that the whole chain was not recomputed after a change. A checkpoint, signed with an
Ed25519 key kept outside the database, records the size and head hash at a moment; a later
chain must still hold that entry with that hash. Run `pressgate ledger checkpoint` from cron and
keep the files where the database's administrators cannot rewrite them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rfc8785
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.db import isoformat, utcnow
from workflow.ledger import merkle
from workflow.ledger.canonical import HASHED_FIELDS, canonical_bytes, chain_hash

#: Version 2 adds the root of the Merkle tree over the chain (workflow.ledger.merkle); version 1 is still read.
FORMAT = "pressgate.checkpoint/2"
FORMATS = ("pressgate.checkpoint/1", FORMAT)
BUNDLE_FORMAT = "pressgate.ledger-bundle/1"


class CheckpointError(ValueError):
    """A checkpoint or bundle that cannot be trusted as it is (bad signature, wrong key, wrong shape)."""


# --- keys ---------------------------------------------------------------------------------


def generate_key(path: Path) -> Path:
    """Write a new Ed25519 private key (mode 0600) and its public key beside it; return the public key's path."""
    if path.exists():
        raise FileExistsError(f"{path} exists; a signing key is never overwritten.")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public = public_key_path(path)
    public.write_bytes(public_pem(key.public_key()))
    return public


def public_key_path(private: Path) -> Path:
    """Return where the public half of a key file is kept."""
    return private.with_name(private.name + ".pub")


def public_pem(key: Ed25519PublicKey) -> bytes:
    """Return the public key as PEM."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key file."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 private key.")
    return key


def load_public(data: bytes) -> Ed25519PublicKey:
    """Read an Ed25519 public key from PEM (a private key's PEM gives its public half)."""
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("not an Ed25519 key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """Return a short, stable name of a public key (first 16 hex digits of SHA-256 of its raw bytes)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- checkpoints --------------------------------------------------------------------------


def _signed_part(doc: dict[str, Any]) -> bytes:
    names = ("format", "size", "head_hash", "at", "key_id") + (("root",) if doc["format"] != FORMATS[0] else ())
    return rfc8785.dumps({k: doc[k] for k in names})


def make_checkpoint(session: Session, key: Ed25519PrivateKey, origin: str = "pressgate/ledger") -> dict[str, Any]:
    """Return a signed checkpoint of the ledger's head now, with the Merkle tree's root (extended to it first).

    `note` is the same checkpoint as a C2SP signed note (tlog-checkpoint: origin, size, root), for tools
    that verify transparency logs; it is signed too, so either form can be published.
    """
    size, head_hash = ledger.head(session)
    tree = merkle.Tree(session)
    tree.extend(lambda first, last: _chain_hashes(session, first, last), size)
    root = base64.b64encode(tree.root(size)).decode("ascii")
    doc = {
        "format": FORMAT,
        "size": size,
        "head_hash": head_hash,
        "root": root,
        "at": isoformat(utcnow()),
        "key_id": key_id(key.public_key()),
    }
    doc["signature"] = base64.b64encode(key.sign(_signed_part(doc))).decode("ascii")
    doc["note"] = signed_note(key, origin, size, root)
    return doc


def _chain_hashes(session: Session, first: int, last: int) -> list[str]:
    entries = ledger.LedgerEntry
    return list(session.scalars(sa.select(entries.hash).where(entries.seq.between(first, last)).order_by(entries.seq)))


def note_key_id(key: Ed25519PublicKey, origin: str) -> bytes:
    """Return the 4-byte key ID of a C2SP signed note: SHA-256(origin, a newline, 0x01, the public key)[:4]."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()[:4]


def signed_note(key: Ed25519PrivateKey, origin: str, size: int, root: str) -> str:
    """Return a C2SP tlog-checkpoint signed note of the tree at `size` with `root` (base64)."""
    body = f"{origin}\n{size}\n{root}\n"
    signature = note_key_id(key.public_key(), origin) + key.sign(body.encode())
    return f"{body}\n\u2014 {origin} {base64.b64encode(signature).decode('ascii')}\n"


def open_note(note: str, key: Ed25519PublicKey, origin: str) -> tuple[int, bytes]:
    """Return the size and root of a signed note when this key signed it; otherwise raise CheckpointError."""
    body, sep, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3 or lines[0] != origin:
        raise CheckpointError(f"not a checkpoint of {origin}")
    for line in signatures.splitlines():
        name, _, sig = line.removeprefix("\u2014 ").rpartition(" ")
        try:
            raw = base64.b64decode(sig, validate=True)
        except ValueError:
            continue
        if name == origin and raw[:4] == note_key_id(key, origin):
            try:
                key.verify(raw[4:], (body + "\n").encode())
            except InvalidSignature:
                raise CheckpointError("the checkpoint's signature does not verify") from None
            return int(lines[1]), base64.b64decode(lines[2], validate=True)
    raise CheckpointError("the checkpoint is not signed by the trusted key")


def check_signature(doc: dict[str, Any], key: Ed25519PublicKey) -> dict[str, Any]:
    """Return the checkpoint when its signature is this key's; otherwise raise CheckpointError."""
    try:
        if doc.get("format") not in FORMATS:
            raise CheckpointError(f"not a PressGate checkpoint (format {doc.get('format')!r})")
        if doc["key_id"] != key_id(key):
            raise CheckpointError(f"signed by key {doc['key_id']}, not by the trusted key {key_id(key)}")
        key.verify(base64.b64decode(doc["signature"], validate=True), _signed_part(doc))
    except InvalidSignature:
        raise CheckpointError(f"the signature of the checkpoint at {doc.get('at')} does not verify") from None
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, CheckpointError):
            raise
        raise CheckpointError(f"malformed checkpoint: {err}") from None
    if not isinstance(doc["size"], int) or doc["size"] < 0:
        raise CheckpointError("malformed checkpoint: size")
    return doc


def read_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint file."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{path}: {err}") from None
    if not isinstance(doc, dict):
        raise CheckpointError(f"{path}: not a checkpoint (a JSON object)")
    return doc


def default_name(doc: dict[str, Any]) -> str:
    """Return a file name that sorts checkpoints by time."""
    stamp = doc["at"].replace(":", "").replace("-", "")[:15]
    return f"checkpoint-{stamp}-{doc['size']}.json"


# --- bundles ------------------------------------------------------------------------------


def entry_document(row: dict[str, Any]) -> dict[str, Any]:
    """Return an entry as a bundle stores it: the hashed fields, prev_hash and hash, time as text."""
    doc = {name: row[name] for name in (*HASHED_FIELDS, "prev_hash", "hash")}
    if isinstance(doc["at"], dt.datetime):
        doc["at"] = isoformat(doc["at"])
    doc["data"] = doc["data"] or {}
    return doc


def write_bundle(session: Session, key: Ed25519PrivateKey, out: io.BufferedIOBase) -> dict[str, Any]:
    """Write entries up to a fresh checkpoint, the checkpoint and the public key as one zip; return the checkpoint."""
    checkpoint = make_checkpoint(session, key)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("entries.jsonl", "w") as entries:
            for row in ledger.iter_rows(session):
                if row.seq > checkpoint["size"]:
                    break
                entries.write((json.dumps(entry_document(row._asdict()), ensure_ascii=False) + "\n").encode("utf-8"))
        bundle.writestr("checkpoint.json", json.dumps(checkpoint, indent=2))
        bundle.writestr("public-key.pem", public_pem(key.public_key()))
        bundle.writestr("manifest.json", json.dumps({"format": BUNDLE_FORMAT, "entries": checkpoint["size"]}, indent=2))
    return checkpoint


class Bundle:
    """An opened bundle: its entries (streamed), its checkpoint and its public key."""

    def __init__(self, path: Path):
        try:
            self._zip = zipfile.ZipFile(path)
            manifest = json.loads(self._zip.read("manifest.json"))
            if manifest.get("format") != BUNDLE_FORMAT:
                raise CheckpointError(f"{path} is not a PressGate ledger bundle")
            self.checkpoint = json.loads(self._zip.read("checkpoint.json"))
            self.public_key = load_public(self._zip.read("public-key.pem"))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
            if isinstance(err, CheckpointError):
                raise
            raise CheckpointError(f"{path}: not a readable bundle ({err})") from None

    def entries(self) -> Iterator[dict[str, Any]]:
        """Yield the bundle's entries in order."""
        with self._zip.open("entries.jsonl") as lines:
            for line in lines:
                yield json.loads(line)

    def close(self) -> None:
        """Close the zip."""
        self._zip.close()


# --- proofs that one entry is in a checkpoint ------------------------------------------------


def latest_checkpoint(folder: Path) -> dict[str, Any] | None:
    """Return the newest checkpoint in a folder that carries a Merkle root (None when there is none)."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("checkpoint-*.json"), reverse=True):
        try:
            doc = read_checkpoint(path)
        except CheckpointError:
            continue
        if doc.get("format") == FORMAT and "root" in doc:
            return doc
    return None


def inclusion(session: Session, row: dict[str, Any], checkpoint: dict[str, Any]) -> dict[str, Any] | None:
    """Return the proof that a sealed entry is in the checkpoint's tree: the entry, its path, the checkpoint."""
    seq, size = row.get("seq"), checkpoint["size"]
    if seq is None or seq > size:
        return None  # the next checkpoint will hold it
    tree = merkle.Tree(session)
    if tree.size() < size:
        return None
    path = tree.proof(seq - 1, size)
    return {
        "format": "pressgate.inclusion/1",
        "entry": entry_document(row),
        "leaf_index": seq - 1,
        "tree_size": size,
        "path": [base64.b64encode(h).decode("ascii") for h in path],
        "checkpoint": checkpoint,
    }


def check_inclusion(proof: dict[str, Any], key: Ed25519PublicKey, origin: str) -> dict[str, Any]:
    """Return the proven entry when the proof holds under this key; otherwise raise CheckpointError.

    Offline: the checkpoint's note is this key's; the entry's hash is recomputed from its fields and the
    hash before it; its leaf, with the path, gives the note's root at the note's size.
    """
    try:
        note_size, root = open_note(proof["checkpoint"]["note"], key, origin)
        entry = proof["entry"]
        recomputed = chain_hash(entry["prev_hash"], canonical_bytes(entry))
        if recomputed != entry["hash"]:
            raise CheckpointError("the entry's fields do not give its hash: it was altered")
        path = [base64.b64decode(h, validate=True) for h in proof["path"]]
        index, size = proof["leaf_index"], proof["tree_size"]
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, CheckpointError):
            raise
        raise CheckpointError(f"malformed proof: {err}") from None
    if size != note_size or index != entry["seq"] - 1:
        raise CheckpointError("the proof is not of this entry in the signed tree")
    if not merkle.verify_inclusion(merkle.leaf_hash(entry["hash"]), index, size, path, root):
        raise CheckpointError("the entry is not in the signed tree")
    return dict(entry)
