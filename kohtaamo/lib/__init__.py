"""Small pure helpers shared by the apps: environment, opening hours, privacy, suppression."""
