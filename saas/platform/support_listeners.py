"""How support access plugs into the shop's pages (to be written)."""
