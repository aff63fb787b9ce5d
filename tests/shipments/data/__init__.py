"""Sample manifest files for the shipments tests, built in code."""
