"""Sample documents for the declaration tests, built in code."""
