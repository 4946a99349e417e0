"""A shop's daily work: dashboard and customers (vehicles, work orders and more come next)."""
