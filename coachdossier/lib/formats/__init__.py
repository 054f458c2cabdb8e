"""Display formats for the English UI of a Dutch practice (settings.FORMAT_MODULE_PATH)."""
