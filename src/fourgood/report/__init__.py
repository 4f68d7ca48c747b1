"""The consolidated provincial workbook: the report sheet, its numbered appendices (one table
each), charts, and the hidden roll-up sheet a higher level consolidates again.

    labels       words shared by the sheets: sheet names, cell types, criteria, thresholds
    columns      a table as data (ReportTable) and its column specs
    geometry     A4, column widths and text measured letter by letter, wrapped lines, row heights
    style        cell styles built once, merged text, the report's page set-up
    letterhead   the party document's heading of every appendix, "prepared by"
    report_sheet the report itself (the first sheet): text, summary, signature
    tables       the month view's appendices, one function per table
    year_tables  the year view's appendices
    table_sheet  one appendix laid out for print, its body streamed (sheet_stream)
    charts       the charts sheet
    data_sheet   the hidden roll-up sheet and the `_meta` rows to consolidate again
    writer       write_consolidated: the whole workbook, atomically
"""
