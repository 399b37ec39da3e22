"""The three categories of the reports (defined in the report spec), by name, importable without the models."""

from __future__ import annotations

TECH = "技术底座"
INDUSTRY = "行业动态"
BUSINESS = "产业商业"
CATEGORIES = (TECH, INDUSTRY, BUSINESS)
