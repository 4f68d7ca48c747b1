"""Standard workbook templates: the criteria specs (specs/*.yaml), the builders that turn
them into the Excel forms staff fill, and the built forms themselves (*.xlsx)."""
