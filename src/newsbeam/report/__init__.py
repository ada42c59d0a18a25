"""The HTML report: data queries, charts, the map and the page."""
