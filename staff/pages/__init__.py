"""The console's pages, one module each, each exposing ``routes()``."""
