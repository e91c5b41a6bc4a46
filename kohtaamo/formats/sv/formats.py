"""Finland-Swedish formats: Django's "sv" is Sweden's, whose short dates are 2027-03-02; in Finland 2.3.2027.

Only what differs is set; everything else, input formats included, falls back to Django's "sv".
"""

SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
