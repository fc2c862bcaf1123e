"""Command-line tools for clinic staff: check, report, new topic."""
