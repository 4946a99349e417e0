"""Customers and their vehicles and devices."""
