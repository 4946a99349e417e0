"""The console's background work (to be written)."""
