"""gridgov: a grid-governance and air-pollution command platform (一网统管)."""

# The one version: the package's metadata reads it (pyproject.toml, dynamic), the backup manifest,
# and the newest numbered heading of CHANGELOG.md must match it (tests/test_backup.py).
__version__ = "0.13.0"
