"""Custom actions for the Foot Drop Assistant, served by `rasa run actions` on port 5055."""
