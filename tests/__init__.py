"""Test suite of the customs portal, mirroring the apps."""
