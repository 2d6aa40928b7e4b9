"""The pure platform matrix: platforms, their versions and vendor EOL (SPEC 4)."""
