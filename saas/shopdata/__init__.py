"""A whole shop's data at once: an export of everything (a ZIP built by a job) and its deletion
when the shop is closed for good. Generic over the tables: every `TenantScoped` table joins by
existing, so a new feature's rows are exported and deleted without editing this package."""
