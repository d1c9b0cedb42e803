"""Near-duplicates, rewrites and translations across a corpus (``narrascope dedup``)."""
