"""Helpers the tests share, imported as ``support.<module>`` (pyproject.toml puts tests/ on the
test run's ``pythonpath``). Test modules import from here, never from each other or from a
conftest.py; fixtures are in tests/conftest.py."""
