"""Documents for decision makers: the municipality slide, the social report, session costs."""
