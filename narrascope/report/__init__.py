"""Writers at the edge: terminal summary, JSONL, HTML report, SemEval submission files."""
