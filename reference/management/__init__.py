"""Management commands of the reference app."""
