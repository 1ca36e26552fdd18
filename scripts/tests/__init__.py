"""Host tests of the harness (python3 -m unittest discover -s scripts/tests -t scripts)."""
