"""Shop settings: profile, currency, labor rate and tax rates."""
