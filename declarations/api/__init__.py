"""The broker API of declarations, manifests, quotes and reference data."""
