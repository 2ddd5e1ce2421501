"""portal stage."""
