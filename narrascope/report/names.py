"""Names as people read them: the taxonomies' ids (``Name_Calling-Labeling``) written out."""

from __future__ import annotations


def display_name(name: str) -> str:
    """A technique, frame or genre id as a sentence-case phrase ("Name calling / labeling",
    "Security and defense", "Opinion"); narrative labels ("URW: …", "CC: …") and "Other" as they are.
    The web app applies the same rule (``human`` in static/app.js)."""
    if not name or name == "Other" or name.startswith(("URW: ", "CC: ")):
        return name
    text = " / ".join(part.replace("_", " ").lower() for part in name.split("-"))
    return text[:1].upper() + text[1:]
