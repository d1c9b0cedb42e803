"""Detection of scraping residue lines (share buttons, comment forms, cookie banners...)."""

from __future__ import annotations

import re

# Whole lines that are page furniture, not article text (compared lower-cased, stripped).
_EXACT = {
    "share", "share.", "share this", "share this:", "share this article", "share on facebook",
    "share on twitter", "share on x", "tweet", "email", "print", "pin", "whatsapp", "telegram",
    "facebook", "twitter", "linkedin", "reddit", "copy link", "click to share",
    "leave a reply", "leave a reply.", "leave a comment", "leave a comment.", "cancel reply",
    "post a comment", "comments", "0 comments", "no comments", "reply",
    "exit mobile version", "advertisement", "advertisements", "sponsored", "sponsored content",
    "read more", "read more.", "continue reading", "related", "related posts", "related articles",
    "you may also like", "recommended", "popular", "trending", "tags", "tags:", "print this page",
    "skip to content", "back to top", "scroll to top", "menu", "search", "home",
}
_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        (
            r"^(share|tweet|email|print|facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest)"
            r"([\s|,·•/]+(share|tweet|email|print|facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|x))+\W*$"
        ),
        r"^(share|tweet|post|send) (this|on|via|to) \w+",
        r"\bleave a (reply|comment)\b",
        r"\bexit mobile version\b",
        r"^you must be logged in to post a comment",
        r"\bwe use cookies\b|\bthis (web)?site uses cookies\b|\baccept (all )?cookies\b|\bcookie (policy|settings|consent)\b",
        r"\b(subscribe|sign up) (to|for) (our|the) (free )?(newsletter|mailing list|updates|daily)",
        r"^(subscribe|sign up)( now| today)?[.!]?$",
        r"^(follow|like) us on\b",
        r"^(copyright|©|\(c\))\s*(\d{4}|©)",
        r"\ball rights reserved\b",
        r"^(your email address will not be published|required fields are marked)",
        r"^(save my name, email|notify me of (follow-up|new posts))",
    )
]
_MAX_RESIDUE_CHARS = 160


def is_residue(line: str) -> bool:
    """True if a whole line is page furniture rather than article text."""
    stripped = line.strip()
    if not stripped:
        return False
    low = stripped.lower()
    if low in _EXACT:
        return True
    if len(stripped) > _MAX_RESIDUE_CHARS:
        return False
    return any(p.search(stripped) for p in _PATTERNS)
