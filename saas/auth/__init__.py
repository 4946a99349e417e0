"""Staff accounts of a shop: login, password reset, invitations, roles."""
