"""fourgood defines no custom functions (this module keeps xlwings Server from loading its examples)."""
