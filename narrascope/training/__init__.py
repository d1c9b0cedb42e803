"""Training, cross-validation and official scorers. The runtime never imports this package."""
