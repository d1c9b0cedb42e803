"""What a word is, in every script the project reads."""

# a word, with the Devanagari vowel signs and virama that Python's \w leaves out ("युद्ध", not "य" "द")
WORD_PATTERN = r"(?:\w|[\u0900-\u0963\u0966-\u097f])+"
