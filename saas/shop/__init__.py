"""The shop's home: dashboard and reports."""
