"""Spiders: requests and link following only; parsing lives in ``crawler.pages``."""
