Attribute VB_Name = "FourGood"
' fourgood - "Chi bo 4 tot": macros for buttons and the Quick Access Toolbar.
'
' Import this module (File > Import File...) into a workbook or into PERSONAL.XLSB that also
' has xlwings' VBA module (xlwings.bas, from `xlwings vba` / the xlwings add-in), then attach
' the macros below to buttons. Each one calls the Python entry point of the same name in
' fourgood.addin, which reads the calling workbook through xlwings.
Option Explicit

' One click: check and score the form (or re-run a consolidation workbook).
Sub FourGoodOneClick()
    RunPython "import fourgood.addin as fg; fg.one_click()"
End Sub

' Check and score the form: results sheet, marked cells, verdict alert.
Sub FourGoodCheck()
    RunPython "import fourgood.addin as fg; fg.check_caller()"
End Sub

' Validate only: list and mark the problems.
Sub FourGoodValidate()
    RunPython "import fourgood.addin as fg; fg.validate_caller()"
End Sub

' Score only: content subtotals and totals.
Sub FourGoodScore()
    RunPython "import fourgood.addin as fg; fg.score_caller()"
End Sub

' Consolidate the folder named in this consolidation workbook into it.
Sub FourGoodConsolidate()
    RunPython "import fourgood.addin as fg; fg.consolidate_caller()"
End Sub
