"""Where the tests find the project's files and the shared data beside the checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout
PACKAGE = ROOT / "narrascope"
EXAMPLES = ROOT / "examples"  # the bundled articles, written for the project
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"  # research data and real articles: read, never committed
