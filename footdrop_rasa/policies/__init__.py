"""Dialogue policies of the Foot Drop Assistant (config.yml's `policies`)."""
