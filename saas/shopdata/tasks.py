"""Background work of whole-shop exports (to be written)."""
