Attribute VB_Name = "FourGoodRibbon"
' Ribbon callbacks for a workbook (.xlsm/.xlam) whose customUI names them, e.g.
'   <button id="fgCheck" label="Kiem tra" onAction="FourGoodRibbon.OnCheck"/>
' Needs the FourGood module and xlwings' VBA module in the same project.
Option Explicit

Sub OnOneClick(control As IRibbonControl)
    RunPython "import fourgood.addin as fg; fg.one_click()"
End Sub

Sub OnCheck(control As IRibbonControl)
    RunPython "import fourgood.addin as fg; fg.check_caller()"
End Sub

Sub OnValidate(control As IRibbonControl)
    RunPython "import fourgood.addin as fg; fg.validate_caller()"
End Sub

Sub OnScore(control As IRibbonControl)
    RunPython "import fourgood.addin as fg; fg.score_caller()"
End Sub

Sub OnConsolidate(control As IRibbonControl)
    RunPython "import fourgood.addin as fg; fg.consolidate_caller()"
End Sub
