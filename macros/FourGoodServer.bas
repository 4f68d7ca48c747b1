Attribute VB_Name = "FourGoodServer"
' fourgood - "Chi bo 4 tot" for older desktop Excel (2010-2019, no Office.js add-ins): the same
' server scripts as the "4 Tot" tab of the Office.js add-in, called through xlwings' remote-call
' VBA (RunRemotePython, in xlwings' Remote.bas). No Python on this computer.
'
' Set up (once, README "The province's server"):
'   1. Import xlwings' VBA modules into the workbook or PERSONAL.XLSB: Remote.bas and its helpers
'      (WebClient, WebRequest, WebResponse, Dictionary, JsonConverter, IWebAuthenticator, from
'      `xlwings vba` / the xlwings package of the SAME version as the server's xlwings: the server
'      refuses a VBA client of another version).
'   2. Import this module. Set FOURGOOD_SERVER below to the board's https address.
'   3. Run FourGoodServerToken once to store the token the board gave you (Windows registry,
'      current user only).
'   4. Attach FourGoodServerCheck (and, for the board, FourGoodServerConsolidate) to buttons.
'
' The server answers with actions that Remote.bas applies by calling, for each one,
' Application.Run <action name>, wb, action. fourgood's scripts use six actions Remote.bas does
' not implement (setFontProperty, setColumnWidth, setWrapText, setSheetVisibility, addNote,
' deleteNote) and two callbacks
' (fourgoodUnprotect, fourgoodProtect: the forms are protected sheets); they are implemented
' below with the same meaning as in xlwings' JavaScript client. tests/test_server_addin.py fails
' if the scripts emit an action that neither Remote.bas nor this module implements.
Option Explicit

Public Const FOURGOOD_SERVER As String = "https://fourgood.example.gov.vn"
' Sheets the scripts read (the same lists as @script(include=...) in fourgood.server.scripts)
Private Const FORM_SHEETS As String = "Th&#244;ng tin,Ch&#7845;m &#273;i&#7875;m,Information,Scoring,_meta,K&#7871;t qu&#7843; ki&#7875;m tra,Check results"
Private Const CONSOLIDATION_SHEETS As String = "T&#7893;ng h&#7907;p,Consolidation,_meta"

Private lifted As Collection

' Vietnamese text in an ASCII module: &#NNNN; decimal entities become characters.
Private Function U(ByVal s As String) As String
    Dim p As Long, q As Long
    p = InStr(s, "&#")
    Do While p > 0
        q = InStr(p, s, ";")
        If q = 0 Then Exit Do
        s = Left(s, p - 1) & ChrW(CLng(Mid(s, p + 2, q - p - 2))) & Mid(s, q + 1)
        p = InStr(p + 1, s, "&#")
    Loop
    U = s
End Function

Private Function FourGoodAuth() As String
    Dim token As String
    token = GetSetting("fourgood", "server", "token", "")
    If token <> "" Then FourGoodAuth = "Bearer " & token
End Function

' Store the token the board issued (fourgood serve token add ...).
Public Sub FourGoodServerToken()
    Dim token As String
    token = InputBox(U("M&#227; truy c&#7853;p do Ban T&#7893; ch&#7913;c c&#7845;p (fg_...):"), "fourgood")
    If token <> "" Then SaveSetting "fourgood", "server", "token", Trim(token)
End Sub

' Check and score the open form on the server: results sheet, marked cells, verdict.
Public Sub FourGoodServerCheck()
    RunRemotePython FOURGOOD_SERVER & "/xlwings/custom-scripts-call/kiem_tra_phieu", _
        auth:=FourGoodAuth(), include:=U(FORM_SHEETS)
End Sub

' Board only: consolidate the server's inbox into the open consolidation workbook.
Public Sub FourGoodServerConsolidate()
    RunRemotePython FOURGOOD_SERVER & "/xlwings/custom-scripts-call/tong_hop", _
        auth:=FourGoodAuth(), include:=U(CONSOLIDATION_SHEETS), timeout:=300000
End Sub

' ---- actions Remote.bas lacks (same meaning as xlwings' JavaScript client) ----

Sub setFontProperty(wb As Workbook, action As Dictionary)
    Dim rng As Range
    Set rng = GetRange(wb, action)
    Select Case action("args")(1)
    Case "bold"
        rng.Font.Bold = CBool(action("args")(2))
    Case "italic"
        rng.Font.Italic = CBool(action("args")(2))
    Case "size"
        rng.Font.Size = action("args")(2)
    Case "name"
        rng.Font.Name = action("args")(2)
    Case "color"
        rng.Font.Color = HexToRgb(action("args")(2))
    End Select
End Sub

Sub setColumnWidth(wb As Workbook, action As Dictionary)
    GetRange(wb, action).ColumnWidth = action("args")(1)
End Sub

Sub setWrapText(wb As Workbook, action As Dictionary)
    GetRange(wb, action).WrapText = CBool(action("args")(1))
End Sub

Sub setSheetVisibility(wb As Workbook, action As Dictionary)
    Select Case CStr(action("args")(1))
    Case "Hidden"
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetHidden
    Case "VeryHidden"
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetVeryHidden
    Case Else
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetVisible
    End Select
End Sub

Sub addNote(wb As Workbook, action As Dictionary)
    Dim rng As Range
    Set rng = wb.Worksheets(action("sheet_position") + 1).Range(action("args")(1))
    If Not rng.Comment Is Nothing Then rng.Comment.Delete
    rng.AddComment CStr(action("args")(2))
End Sub

Sub deleteNote(wb As Workbook, action As Dictionary)
    Dim rng As Range
    Set rng = wb.Worksheets(action("sheet_position") + 1).Range(action("args")(1))
    If Not rng.Comment Is Nothing Then rng.Comment.Delete
End Sub

' ---- callbacks (runMacro): lift the forms' password-less protection around the marks ----

Sub fourgoodUnprotect(wb As Workbook, names As String)
    Dim name As Variant
    Set lifted = New Collection
    For Each name In Split(names, "|")
        If SheetExists(wb, CStr(name)) Then
            If wb.Worksheets(CStr(name)).ProtectContents Then
                wb.Worksheets(CStr(name)).Unprotect
                lifted.Add CStr(name)
            End If
        End If
    Next
End Sub

Sub fourgoodProtect(wb As Workbook, names As String)
    Dim name As Variant
    If lifted Is Nothing Then Exit Sub
    For Each name In lifted
        wb.Worksheets(CStr(name)).Protect DrawingObjects:=True, Contents:=True, Scenarios:=True, _
            AllowFormattingColumns:=True
    Next
    Set lifted = Nothing
End Sub

Private Function SheetExists(wb As Workbook, name As String) As Boolean
    Dim ws As Worksheet
    On Error Resume Next
    Set ws = wb.Worksheets(name)
    SheetExists = Not ws Is Nothing
    On Error GoTo 0
End Function
