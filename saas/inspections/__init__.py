"""Digital inspections: per-shop templates, rated items with photos, recommended jobs."""
