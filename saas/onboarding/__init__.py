"""The public site: signup of new shops, the landing page, finding your shop."""
