"""Write ``narrascope/resources/countries.json``: the names of the world's countries and continents in the
five supported languages, from the Unicode CLDR as Babel ships it (``pip install babel``).

The actor table (``narrascope.entities.actors``) adds them to its hand-made actors, so that a country the
table does not list ("Libya", "लीबिया", "Ливия") is still found in Hindi, which has no capital letters to
find names by, and gets one English name in every language. The file is written once and committed, so
that a Babel upgrade cannot change what the shipped role model reads. Run from the repository root:

    python tools/world_countries.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

LANGUAGES = ("en", "bg", "hi", "pt", "ru")
# continents: the name alone is an actor in the narratives ("Africa", "Europe"); not the Americas, whose
# Russian and Bulgarian name, "Америка", means the USA in the news
CONTINENTS = ("002", "142", "150", "009")
# codes that name no country (or an organisation the hand-made table has): unknown, pseudo-locales, blocs
SKIP = {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}
OUT = Path(__file__).resolve().parents[1] / "narrascope" / "resources" / "countries.json"


def variants(name: str) -> list[str]:
    """The CLDR name and its common short forms: "Myanmar (Burma)" -> Myanmar, Burma; "Congo - Kinshasa" ->
    Congo; "Hong Kong SAR China" -> Hong Kong; "Bosnia & Herzegovina" -> "Bosnia and Herzegovina". A word in
    brackets is another name only after a one-word name: in "U.S. Outlying Islands (США)" it says whose."""
    out = [name]
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", name):
        out.append(m.group(1))
        if " " not in m.group(1) and " " not in m.group(2):
            out.append(m.group(2))
    out += [part for part in (name.split(" - ")[0], name.split(" SAR ")[0]) if part != name]
    if "&" in name:
        out.append(name.replace("&", "and"))
    return list(dict.fromkeys(x.strip() for x in out if x.strip()))


def main() -> None:
    import babel
    from babel import Locale

    names = {lang: Locale(lang).territories for lang in LANGUAGES}
    codes = [c for c in names["en"] if (len(c) == 2 and c.isalpha() and c not in SKIP) or c in CONTINENTS]
    territories = {}
    for code in sorted(codes):
        entry = {lang: variants(names[lang][code]) for lang in LANGUAGES if names[lang].get(code)}
        entry["kind"] = "place" if code in CONTINENTS else "country"
        territories[code] = entry
    data = {
        "about": f"Country and continent names from the Unicode CLDR (Babel {babel.__version__}), written by "
                 "tools/world_countries.py. CLDR data: Copyright Unicode, Inc., Unicode License v3 "
                 "(https://www.unicode.org/license.txt).",
        "territories": territories,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(territories)} territories written to {OUT}")


if __name__ == "__main__":
    main()
