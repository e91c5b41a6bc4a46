"""Statistics: rollups, small-count suppression, the dashboard and the stats API."""
