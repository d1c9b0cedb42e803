"""Model folders: ``weights.npz`` plus JSON files (``meta.json`` first), never pickle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.errors import ModelMismatchError, ModelNotFoundError


def write_model_folder(path: str | Path, arrays: dict[str, np.ndarray], meta: dict[str, Any],
                       **documents: Any) -> None:
    """Write ``weights.npz``, ``meta.json`` (indented) and one compact ``<name>.json`` per extra document."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path / "weights.npz", **arrays)
    for name, content in documents.items():
        (path / f"{name}.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def read_model_folder(path: str | Path, model_format: str, what: str, train: str,
                      documents: tuple[str, ...] = (), optional: tuple[str, ...] = (),
                      ) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    """``(meta, arrays, documents)`` of a model folder written by ``write_model_folder``;
    the ``optional`` documents are read when their file exists.

    A missing or unreadable file, or a ``format`` other than ``model_format``, raises a
    ``ModelError`` that names the folder and the ``narrascope train <train>`` command
    that rebuilds it.
    """
    path = Path(path)
    rebuild = f"`narrascope train {train} --data DIR --out DIR`"
    if not (path / "meta.json").is_file():
        raise ModelNotFoundError(f"no {what} model here (no meta.json); train one with {rebuild}", source=str(path))
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        names = [*documents, *(name for name in optional if (path / f"{name}.json").is_file())]
        docs = {name: json.loads((path / f"{name}.json").read_text(encoding="utf-8")) for name in names}
        with np.load(path / "weights.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelMismatchError(f"cannot load the {what} model ({exc}); rebuild it with {rebuild}",
                                 source=str(path)) from None
    if not isinstance(meta, dict) or meta.get("format") != model_format:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelMismatchError(f"model format {found!r} is not {model_format!r}; retrain it with this version: "
                                 f"{rebuild}", source=str(path))
    return meta, arrays, docs
