"""The instructor's records: gradebooks and exports, overrides, item analysis, regrades."""
