"""The SemEval-2025 Task 10 narrative taxonomy (label names and hierarchy)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

OTHER = "Other"


@dataclass(frozen=True)
class Taxonomy:
    """Narratives and sub-narratives. ``official_*`` are the lists the task's scorer uses."""

    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]
    unofficial_subnarratives: tuple[str, ...] = ()

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Taxonomy:
        path = resources.files("narrascope.resources").joinpath("taxonomy_t10.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            tuple(data["narratives"]),
            tuple(data["subnarratives"]),
            tuple(data.get("unofficial_subnarratives", ())),
        )

    @property
    def official_narratives(self) -> frozenset[str]:
        return frozenset(self.narratives)

    @property
    def official_subnarratives(self) -> frozenset[str]:
        return frozenset(self.subnarratives)

    def parent(self, subnarrative: str) -> str:
        """The narrative a sub-narrative belongs to (``Other`` for ``Other``)."""
        if subnarrative == OTHER:
            return OTHER
        best = ""
        for narrative in self.narratives:
            if subnarrative.startswith(narrative + ":") and len(narrative) > len(best):
                best = narrative
        if not best:
            raise KeyError(subnarrative)
        return best

    def topic(self, label: str) -> str:
        """``"CC"`` (climate), ``"URW"`` (Ukraine-Russia war) or ``"Other"``."""
        head = label.split(":", 1)[0]
        return head if head in ("CC", "URW") else OTHER

    def children(self, narrative: str) -> list[str]:
        known = self.subnarratives + self.unofficial_subnarratives
        return [s for s in known if s.startswith(narrative + ":")]


@dataclass(frozen=True)
class RoleTaxonomy:
    """Entity-framing roles: three main roles, each with its fine-grained roles."""

    fine_roles: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> RoleTaxonomy:
        path = resources.files("narrascope.resources").joinpath("roles_t10.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple((main, tuple(data["fine_roles"][main])) for main in data["main_roles"]))

    @property
    def main_roles(self) -> tuple[str, ...]:
        return tuple(main for main, _ in self.fine_roles)

    def main_of(self, fine_role: str) -> str:
        """The main role a fine role belongs to."""
        for main, fines in self.fine_roles:
            if fine_role in fines:
                return main
        raise KeyError(fine_role)
