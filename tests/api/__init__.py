"""HTTP tests through the test client (a package, so that basenames may repeat tests/unit's)."""
