"""NLU evaluation helpers: pipeline comparison and patient-facing outcomes."""
