"""The console's pages, one module per part, each with its `routes()`."""
