"""How a whole shop's export shows on the settings page (to be written)."""
