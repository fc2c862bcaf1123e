"""Custom Rasa input channels for the Foot Drop Assistant."""
