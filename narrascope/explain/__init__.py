"""Grounded explanations of an article's dominant narrative (SemEval-2025 Task 10 subtask 3)."""
