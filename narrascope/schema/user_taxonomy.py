"""A user's own narrative taxonomy, written in plain words in a YAML (or JSON) file.

.. code-block:: yaml

    name: my-election-2027
    narratives:
      - label: "Fraud"
        description: "Claims that the vote count is rigged."
        examples: ["They will steal the election through mail ballots."]
        negatives: ["Officials explained how mail ballots are counted."]
        subnarratives:
          - label: "Fraud: Mail ballots"
            description: "..."

Labels are free text, written in every output as they are; a description is required;
examples (sentences, paragraphs or whole articles) and negatives are optional. A
sub-narrative's parent is the narrative it sits under.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.errors import TaxonomyError, TaxonomyWarning

MAX_FILE_BYTES = 64 * 1024 * 1024
OTHER = "Other"


@dataclass
class UserLabel:
    """One narrative or sub-narrative of a user's taxonomy (``parent`` is ``None`` for a narrative)."""

    label: str
    description: str
    examples: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "description": self.description}
        if self.examples:
            out["examples"] = list(self.examples)
        if self.negatives:
            out["negatives"] = list(self.negatives)
        return out


@dataclass
class UserTaxonomy:
    """Narratives, each followed by its sub-narratives, in file order."""

    name: str
    labels: list[UserLabel]
    source: str = ""

    @property
    def narratives(self) -> list[UserLabel]:
        return [entry for entry in self.labels if entry.parent is None]

    @property
    def subnarratives(self) -> list[UserLabel]:
        return [entry for entry in self.labels if entry.parent is not None]

    def get(self, label: str) -> UserLabel:
        for entry in self.labels:
            if entry.label == label:
                return entry
        raise KeyError(label)

    def children(self, narrative: str) -> list[UserLabel]:
        return [entry for entry in self.labels if entry.parent == narrative]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "narratives": [
            {**n.to_dict(), **({"subnarratives": [s.to_dict() for s in self.children(n.label)]}
                               if self.children(n.label) else {})} for n in self.narratives]}

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)

    def write(self, path: str | Path) -> Path | None:
        """Write the taxonomy as YAML (a file the user can keep under version control), whole or not at all.

        Over a YAML file of the user's, what changed is merged into it (ruamel.yaml's round trip): their
        comments, quoting, order and layout stay, and a diff shows only the added examples, negatives or
        narratives. Where that cannot be done (the file is not YAML ruamel reads, or the merge would not
        read back as this taxonomy), the file is written anew, and if it held comments it is first kept,
        byte for byte, beside it as ``<name>.orig`` (``.orig.2``, ``.orig.3``… when that is taken),
        returned; None when nothing was kept. The new file's first line then names the latest copy."""
        path = Path(path)
        raw = path.read_bytes() if path.is_file() else b""
        try:
            old = _decoded(raw)
        except TaxonomyError:
            old = ""
        merged = self._merged_into(old) if old.strip() else None
        if merged is not None:  # in the file's own encoding (a byte-order mark kept)
            bom = next((mark for mark in _BOMS if raw.startswith(mark)), b"")
            write_whole(path, bom + merged.encode(_BOMS.get(bom, "utf-8")))
            return None
        kept = None
        if any(_COMMENT.search(line) for line in old.splitlines() if not line.startswith(WRITTEN_NOTE)):
            kept = next(c for n in range(1, 10_000)
                        if not (c := path.with_name(f"{path.name}.orig" + (f".{n}" if n > 1 else ""))).exists())
            write_whole(kept, raw)
        latest = kept or _latest_copy(path)
        note = f"{WRITTEN_NOTE} {latest.name}\n" if latest else ""
        write_whole(path, note + self.to_yaml())
        return kept

    def _merged_into(self, text: str) -> str | None:
        """``text`` (the file as it is) with this taxonomy's changes merged in, comments and layout kept;
        None when that cannot be done faithfully."""
        import copy
        import io

        import yaml
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
        from ruamel.yaml.error import YAMLError
        from ruamel.yaml.util import load_yaml_guess_indent

        if text.lstrip().startswith(("{", "[")):
            return None  # JSON: written anew (it holds no comments)
        crlf = "\r\n" in text  # written back with the file's own line ends
        text = text.replace("\r\n", "\n")
        reader = YAML()  # round trip: comments, quotes and order kept
        reader.preserve_quotes = True
        try:
            _, indent, dash = load_yaml_guess_indent(text)
            doc = reader.load(text)
        except (YAMLError, ValueError, TypeError):
            return None
        if not isinstance(doc, CommentedMap) or not isinstance(doc.get("narratives"), CommentedSeq):
            return None

        def new_entry(entry: UserLabel) -> CommentedMap:
            node = CommentedMap(entry.to_dict())
            for key in ("examples", "negatives"):
                if key in node:
                    node[key] = CommentedSeq(node[key])
            children = self.children(entry.label) if entry.parent is None else []
            if children:
                node["subnarratives"] = CommentedSeq(new_entry(child) for child in children)
            return node

        def append(items: CommentedSeq, values: list) -> None:
            """Add ``values`` at the end of ``items``. The comment lines after its last item stay after the
            last (its own comment, on its line, stays with it)."""
            if not values:
                return
            token = items.ca.items.get(len(items) - 1, [None])[0] if items else None
            items.extend(values)
            if token is not None:
                own, _, after = token.value.partition("\n")
                if after.strip():
                    token.value = own + "\n"
                    moved = copy.copy(token)
                    moved.value = "\n" + after
                    items.ca.items[len(items) - 1] = [moved, None, None, None]

        def sync(items: CommentedSeq, entries: list[UserLabel]) -> bool:
            by_label = {str(item.get("label")).strip(): item for item in items if isinstance(item, CommentedMap)}
            for entry in entries:
                node = by_label.get(entry.label)
                if node is None:
                    append(items, [new_entry(entry)])
                    continue
                if str(node.get("description")).strip() != entry.description:  # read stripped, as the file has it
                    node["description"] = entry.description
                for key in ("examples", "negatives"):
                    wanted = getattr(entry, key)
                    have = node.get(key)
                    if have is None:
                        if wanted:
                            at = list(node).index("subnarratives") if "subnarratives" in node else len(node)
                            node.insert(at, key, CommentedSeq(wanted))
                    elif isinstance(have, list):
                        written = {str(h).strip() for h in have}  # a block scalar ("|", ">") ends in a line break
                        append(have, [text for text in wanted if text not in written])
                    else:
                        return False
                if entry.parent is None and self.children(entry.label):
                    subs = node.get("subnarratives")
                    if subs is None:
                        node["subnarratives"] = subs = CommentedSeq()
                    if not isinstance(subs, CommentedSeq) or not sync(subs, self.children(entry.label)):
                        return False
            return True

        if not sync(doc["narratives"], self.narratives):
            return None
        reader.width = 4096  # no line is wrapped where the user did not wrap it
        reader.indent(mapping=dash or indent, sequence=indent, offset=dash)
        out = io.StringIO()
        reader.dump(doc, out)
        merged = out.getvalue()
        if crlf:
            merged = merged.replace("\n", "\r\n")
        try:  # the merge must read back as this taxonomy, or it is not written
            again = UserTaxonomy.from_dict(yaml.safe_load(merged), self.source)
        except (yaml.YAMLError, TaxonomyError):
            return None
        return merged if again.to_dict()["narratives"] == self.to_dict()["narratives"] else None

    def add_feedback(self, label: str, text: str, accepted: bool) -> bool:
        """Add ``text`` to the label's examples (``accepted``) or negatives; ``False`` if it is there already."""
        entry = self.get(label)
        target = entry.examples if accepted else entry.negatives
        text = text.strip()
        if not text or text in target:
            return False
        target.append(text)
        return True

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> UserTaxonomy:
        """Validate a parsed file: every problem names the entry and says what to fix; nothing half-read."""
        if not isinstance(data, dict):
            raise TaxonomyError("not a taxonomy: the file must hold a mapping with `name` and `narratives` "
                                "(see docs/usage.md, 'Your own narratives')", source=source)
        unknown = [str(k) for k in data if k not in TOP_KEYS]
        if unknown:
            raise TaxonomyError(f"unknown key {unknown[0]!r} at the top of the file (a typo?); a taxonomy has "
                                f"{', '.join(TOP_KEYS)}", source=source)
        narratives = data.get("narratives")
        if not isinstance(narratives, list) or not narratives:
            raise TaxonomyError("no narratives: add a `narratives:` list with at least one entry "
                                "(label and description)", source=source)
        name = str(data.get("name") or Path(source).stem or "my-taxonomy")
        labels: list[UserLabel] = []
        seen: dict[str, tuple[str, str]] = {}  # label, folded -> (its entry, as written)
        for i, raw in enumerate(narratives, start=1):
            narrative = _entry(raw, f"narratives[{i}]", source, None, seen)
            labels.append(narrative)
            subs = raw.get("subnarratives") or []
            if not isinstance(subs, list):
                raise TaxonomyError(f"narratives[{i}] ({narrative.label!r}): `subnarratives` must be a list",
                                    source=source)
            for j, sub_raw in enumerate(subs, start=1):
                where = f"narratives[{i}].subnarratives[{j}]"
                sub = _entry(sub_raw, where, source, narrative.label, seen)
                if not sub.label.startswith(narrative.label):
                    warnings.warn(TaxonomyWarning(
                        f"{where} ({sub.label!r}) does not start with its parent's label {narrative.label!r}: "
                        "allowed, but outputs read more easily when it does", source=source), stacklevel=3)
                labels.append(sub)
        return cls(name, labels, source)


ENTRY_KEYS = ("label", "description", "examples", "negatives", "subnarratives")
TOP_KEYS = ("name", "description", "narratives")
FORBIDDEN = {"\t": "a tab", "\n": "a line break", ";": "';'"}  # they separate labels in the official files


def _entry(raw: Any, where: str, source: str, parent: str | None, seen: dict[str, tuple[str, str]]) -> UserLabel:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: each entry must be a mapping with `label` and `description`", source=source)
    allowed = ENTRY_KEYS if parent is None else ENTRY_KEYS[:-1]
    unknown = [str(k) for k in raw if k not in allowed]
    if unknown:
        raise TaxonomyError(f"{where}: unknown key {unknown[0]!r} (a typo?); an entry has "
                            f"{', '.join(allowed)}", source=source)
    label = raw.get("label")
    if label is None or (isinstance(label, str) and not label.strip()):
        raise TaxonomyError(f"{where}: missing `label` (a name in plain words)", source=source)
    if not isinstance(label, str):
        raise TaxonomyError(f"{where}: the label {label!r} is not text; put it in quotes", source=source)
    label = label.strip()
    if label == OTHER or label.endswith(f": {OTHER}"):
        raise TaxonomyError(f"{where}: {label!r}: {OTHER!r} is what an article (or a narrative) with nothing more "
                            "specific is labelled; choose another label", source=source)
    bad = next((name for ch, name in FORBIDDEN.items() if ch in label), None)
    if bad:
        raise TaxonomyError(f"{where}: the label {label!r} holds {bad}, which separates labels in the output "
                            "files; remove it", source=source)
    key = " ".join(label.casefold().split())  # "Western aggression" and "western  aggression" are one label
    if key in seen:
        first_where, first = seen[key]
        same = "is used twice" if first == label else f"is {first!r} again, but for case or spaces"
        raise TaxonomyError(f"{where}: label {label!r} {same} (also at {first_where}); "
                            "each label must be unique", source=source)
    seen[key] = (where, label)
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise TaxonomyError(f"{where} ({label!r}): missing `description`: say in a sentence or two what the "
                            "narrative claims", source=source)
    examples = _texts(raw.get("examples"), f"{where} ({label!r}).examples", source)
    negatives = _texts(raw.get("negatives"), f"{where} ({label!r}).negatives", source)
    return UserLabel(label, description.strip(), examples, negatives, parent)


def _texts(value: Any, where: str, source: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise TaxonomyError(f"{where}: must be a list of texts", source=source)
    out = []
    for k, text in enumerate(value, start=1):
        if not isinstance(text, str) or not text.strip():
            raise TaxonomyError(f"{where}[{k}]: an example is empty or not text; remove it or write it out",
                                source=source)
        out.append(text.strip())
    return out


WRITTEN_NOTE = "# Rewritten by narrascope (your feedback added); the file as you wrote it, comments included, is"
_COMMENT = re.compile(r"(?:^|\s)#")  # a YAML comment: at a line's start or after white space


def _latest_copy(path: Path) -> Path | None:
    """The newest ``<name>.orig[.n]`` kept beside ``path``, if any."""
    copies = [c for c in path.parent.glob(f"{path.name}.orig*") if c.is_file()]
    return max(copies, key=lambda c: (c.stat().st_mtime_ns, c.name)) if copies else None


# byte-order marks, longest first, and the codec of the text after each
_BOMS = {b"\xff\xfe\x00\x00": "utf-32-le", b"\x00\x00\xfe\xff": "utf-32-be", b"\xff\xfe": "utf-16-le",
         b"\xfe\xff": "utf-16-be", b"\xef\xbb\xbf": "utf-8"}


def _decoded(raw: bytes, source: str = "") -> str:
    """A taxonomy file's text: UTF-8 (a byte-order mark allowed), or UTF-16/32 with their mark."""
    boms = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
            (b"\xfe\xff", "utf-16"))
    encoding = next((name for bom, name in boms if raw.startswith(bom)), "utf-8-sig")
    if encoding == "utf-8-sig" and b"\x00" in raw[:8192]:
        raise TaxonomyError("this is a binary file, not a YAML taxonomy", source=source)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise TaxonomyError(f"not {encoding.upper().removesuffix('-SIG')} (byte {err.start}): save the file as "
                            "UTF-8", source=source) from None


def write_whole(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8; bytes as they are) to a file beside ``path``, then put it in its place: a
    reader never sees half a file."""
    import os

    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if isinstance(text, bytes):
            partial.write_bytes(text)
        else:
            partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read_taxonomy(path: str | Path) -> UserTaxonomy:
    """Read and validate a taxonomy file (YAML; JSON is YAML too)."""
    import yaml

    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise TaxonomyError("no such taxonomy file: give the path of a YAML file "
                            "(see docs/usage.md, 'Your own narratives')", source=source)
    size = path.stat().st_size
    if size == 0:
        raise TaxonomyError("the taxonomy file is empty: write a `name:` and a `narratives:` list", source=source)
    if size > MAX_FILE_BYTES:
        raise TaxonomyError(f"the taxonomy file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
                            "limit: keep a few examples per label", source=source)
    text = _decoded(path.read_bytes(), source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise TaxonomyError(f"not valid YAML{where}: {problem}", source=source) from None
    try:
        return UserTaxonomy.from_dict(data, source)
    except TaxonomyError as err:
        line = _line_of(text, err.message)
        if line is None:
            raise
        raise TaxonomyError(f"line {line}, {err.message}", source=source) from None


_ENTRY_PATH = re.compile(r"^narratives\[(\d+)\](?:\.subnarratives\[(\d+)\])?")


def _line_of(text: str, message: str) -> int | None:
    """The line where the entry a validation message names (``narratives[2].subnarratives[1]: ...``)
    starts in the file, or None."""
    import yaml

    found = _ENTRY_PATH.match(message)
    if not found:
        return None
    try:
        node = yaml.compose(text)
        path = [("narratives", int(found.group(1)))]
        if found.group(2):
            path.append(("subnarratives", int(found.group(2))))
        for key, index in path:
            mapping = dict((k.value, v) for k, v in node.value) if isinstance(node, yaml.MappingNode) else {}
            node = mapping[key].value[index - 1]
        return node.start_mark.line + 1
    except (yaml.YAMLError, KeyError, IndexError, TypeError, AttributeError):
        return None


def read_labels(path: str | Path, taxonomy: UserTaxonomy) -> list[tuple[int, str | None, str | None, list[str]]]:
    """A labels file (JSONL: ``{"text": ...}`` or ``{"id": ...}``, and ``"labels": [...]``): one
    ``(line number, id, text, labels)`` per record. A label the taxonomy lacks is an error naming the line."""
    path = Path(path)
    known = {entry.label for entry in taxonomy.labels}
    out = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TaxonomyError("no such labels file", source=str(path)) from None
    except UnicodeDecodeError:
        raise TaxonomyError("not UTF-8 text: save the labels file as UTF-8 JSON lines", source=str(path)) from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise TaxonomyError(f"line {n}: not JSON ({err.msg}); each line is one object", source=str(path)) from None
        if not isinstance(record, dict) or not (record.get("text") or record.get("id")) or "labels" not in record:
            raise TaxonomyError(f"line {n}: needs `text` or `id`, and `labels` (a list, empty for an article "
                                "that pushes none)", source=str(path))
        for key in ("text", "id"):
            if record.get(key) is not None and not isinstance(record[key], str):
                raise TaxonomyError(f"line {n}: `{key}` must be text", source=str(path))
        labels = record["labels"]
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise TaxonomyError(f"line {n}: `labels` must be a list of the taxonomy's labels (text)",
                                source=str(path))
        unknown = [label for label in labels if label not in known and label != OTHER]
        if unknown:
            raise TaxonomyError(f"line {n}: label {unknown[0]!r} is not in the taxonomy "
                                f"{taxonomy.source or taxonomy.name}; add it there or fix the line", source=str(path))
        out.append((n, record.get("id"), record.get("text"), [label for label in labels if label != OTHER]))
    if not out:
        raise TaxonomyError("the labels file holds no labelled article", source=str(path))
    return out


def label_closure(taxonomy: UserTaxonomy, labels: Iterable[str]) -> set[str]:
    """``labels`` with the parent of each sub-narrative among them."""
    out = set(labels)
    for label in list(out):
        parent = taxonomy.get(label).parent
        if parent:
            out.add(parent)
    return out
