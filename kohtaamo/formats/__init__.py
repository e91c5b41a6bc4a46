"""Date and number formats for Finland where Django's defaults are another country's (FORMAT_MODULE_PATH)."""
