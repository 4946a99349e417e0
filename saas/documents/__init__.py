"""Documents and photos of customers, assets and work orders, stored through `saas.core.storage`."""
