"""Management commands that load reference data."""
