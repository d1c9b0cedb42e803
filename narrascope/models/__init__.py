"""Shipped model weights (JSON + npz), one folder per model."""
