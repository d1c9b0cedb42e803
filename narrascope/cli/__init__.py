"""The ``narrascope`` command line (Typer + Rich): thin adapters over the Python API."""

from narrascope.cli.main import app, main

__all__ = ["app", "main"]
