"""The public site: every page readers see, and the cache and validator helpers they share."""
