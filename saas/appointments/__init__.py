"""Opening hours, bookable services, the staff calendar and online booking."""
