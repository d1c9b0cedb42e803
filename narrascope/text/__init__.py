"""Language-independent text utilities (sentences, offsets, words)."""
