"""Template tags of the declaration pages."""
