"""Feature hashing without scikit-learn: MurmurHash3 (x86, 32 bit) over many strings at once in numpy,
the same columns as ``sklearn.feature_extraction.FeatureHasher(alternate_sign=False)``.

The persuasion span tagger was trained on scikit-learn's hashed columns; computing them here keeps
scikit-learn (about a second to import) out of every analysis.
"""

from __future__ import annotations

import struct

import numpy as np
import scipy.sparse as sp

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


LONG_BYTES = 64  # longer strings are hashed one by one: a padded matrix as wide as the longest would not fit
_M = 0xFFFFFFFF


def murmurhash3_32(strings: list[str], seed: int = 0) -> np.ndarray:
    """Signed 32-bit MurmurHash3 of each string's UTF-8 bytes (``sklearn.utils.murmurhash3_32``): the
    short ones all at once in numpy, the odd long one (a URL, a run of symbols) on its own."""
    encoded = [s.encode("utf-8") for s in strings]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    long = np.flatnonzero(lengths > LONG_BYTES)
    if not len(long):  # as nearly always
        return _hash_short(encoded, lengths, seed)
    out = np.zeros(len(encoded), np.int32)
    short = np.flatnonzero(lengths <= LONG_BYTES)
    out[short] = _hash_short([encoded[i] for i in short], lengths[short], seed)
    for i in long:
        out[i] = _hash_one(encoded[i], seed)
    return out


def _hash_short(encoded: list[bytes], lengths: np.ndarray, seed: int) -> np.ndarray:
    n = len(encoded)
    width = 4 * (int(lengths.max(initial=0)) // 4 + 1)
    data = np.frombuffer(b"".join(encoded), np.uint8)
    starts = np.cumsum(lengths) - lengths
    rows = np.repeat(np.arange(n), lengths)
    padded = np.zeros((n, width), np.uint8)  # each string's bytes, zero-padded
    padded[rows, np.arange(len(data)) - np.repeat(starts, lengths)] = data
    words = padded.view("<u4").astype(np.uint32)  # little-endian 4-byte blocks
    blocks = lengths // 4
    h = np.full(n, seed, np.uint32)
    with np.errstate(over="ignore"):
        for j in range(int(blocks.max(initial=0))):
            live = blocks > j
            k = words[:, j] * _C1
            k = _rotl(k, 15) * _C2
            mixed = _rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
            h = np.where(live, mixed, h)
        # the 1-3 bytes after the last whole block: they are the low bytes of the next block
        tail = words[np.arange(n), blocks]
        k = _rotl(tail * _C1, 15) * _C2
        h = np.where(lengths % 4 > 0, h ^ k, h)
        h ^= lengths.astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h.view(np.int32)


def _hash_one(data: bytes, seed: int) -> int:
    """The same hash of one byte string, in Python integers (time and memory linear in its length)."""
    c1, c2 = int(_C1), int(_C2)
    h = seed & _M
    n_blocks = len(data) // 4
    for k in struct.unpack_from(f"<{n_blocks}I", data):
        k = (k * c1) & _M
        k = ((k << 15) | (k >> 17)) & _M
        h ^= (k * c2) & _M
        h = ((h << 13) | (h >> 19)) & _M
        h = (h * 5 + 0xE6546B64) & _M
    tail = data[4 * n_blocks:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & _M
        k = ((k << 15) | (k >> 17)) & _M
        h ^= (k * c2) & _M
    h ^= len(data) & _M
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def hashed_counts(rows: list[list[str]], n_features: int) -> sp.csr_matrix:
    """One row per list of string features, each feature adding 1 to its column ``|hash| mod
    n_features`` (float32): ``FeatureHasher(n_features, input_type="string", alternate_sign=False)``."""
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    hashes = murmurhash3_32([f for row in rows for f in row]).astype(np.int64)
    columns = np.where(hashes == -(2**31), (2**31 - 1 - (n_features - 1)) % n_features, np.abs(hashes) % n_features)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    X = sp.csr_matrix((np.ones(len(columns), np.float32), columns.astype(np.int32), indptr),
                      shape=(len(rows), n_features))
    X.sum_duplicates()
    return X
