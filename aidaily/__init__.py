"""aidaily's command line: the composition root over the crawler, enrichment and reports packages."""
