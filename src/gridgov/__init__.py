"""gridgov: a grid-governance and air-pollution command platform (一网统管)."""

__version__ = "0.1.0"
