"""The test suite (a package, so a dependency's own top-level `tests` cannot shadow it)."""
