"""NLU building blocks: the blank spaCy pipeline and the terminology entity extractor."""
