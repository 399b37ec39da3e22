"""aidaily's Scrapy project: spiders, pure page parsers, item pipelines and the MongoDB store."""
