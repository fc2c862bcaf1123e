"""Rasa extensions for running several Rasa processes together (endpoints.scale.yml)."""
