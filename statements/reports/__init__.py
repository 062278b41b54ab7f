"""Periodic reports: a unit's figures for a period, alone or over its subtree, as a page, files and charts."""
