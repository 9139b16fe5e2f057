; Inno Setup 6 script: HallTwin for 64-bit Windows, from the PyInstaller bundle.
;
; On a Windows build machine (what .github/workflows/installers.yml runs):
;   python -m pip install -e ".[dist]"
;   python installer\make_icons.py build\icons
;   python -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller installer\halltwin.spec
;   iscc /DAppVersion=<what dist\halltwin\halltwin.exe --version prints> installer\windows\halltwin.iss
; Output: dist\HallTwin-<version>-windows-x64-setup.exe
;
; The bundle has two executables over one _internal folder: halltwin.exe (console:
; the command line) and halltwin-gui.exe (windowed: the Start-menu entry and "Open
; with"; given no command it opens the app).  Per-user data (settings, autosaves,
; numba cache, the optional CuPy folder) is not removed on uninstall; see
; docs\installing.md.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (what "halltwin.exe --version" prints)
#endif
; Paths are relative to this script's folder: the repository is two levels up.
#define Repo "..\.."

[Setup]
AppId={{6E2B7C61-3F0A-4C55-9D0E-6A1F3E1B8C24}
AppName=HallTwin
AppVersion={#AppVersion}
AppVerName=HallTwin {#AppVersion}
AppPublisher=HallTwin developers
DefaultDirName={autopf}\HallTwin
DefaultGroupName=HallTwin
DisableProgramGroupPage=yes
; Installs for all users (admin) or, if the user chooses, just for them (no admin).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Repo}\dist
OutputBaseFilename=HallTwin-{#AppVersion}-windows-x64-setup
SetupIconFile={#Repo}\build\icons\halltwin.ico
UninstallDisplayIcon={app}\halltwin-gui.exe
; lzma2 over the ~400 MB bundle: a smaller download for a minute or two of build time.
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ChangesEnvironment=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the halltwin command to PATH (for terminals and scripts)"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
Source: "{#Repo}\dist\halltwin\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\HallTwin"; Filename: "{app}\halltwin-gui.exe"; Comment: "Digital twin of a liquid-cooled AI data hall"
Name: "{autodesktop}\HallTwin"; Filename: "{app}\halltwin-gui.exe"; Tasks: desktopicon

[Registry]
; Windows associates by the last extension only, so HallTwin cannot own
; ".halltwin.json" without taking every .json.  It is offered in "Open with" for
; .json layouts and .h5 run files instead, without becoming their default.
Root: HKA; Subkey: "Software\Classes\HallTwin.Layout"; ValueType: string; ValueName: ""; ValueData: "HallTwin layout"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\HallTwin.Layout\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\halltwin-gui.exe,0"
Root: HKA; Subkey: "Software\Classes\HallTwin.Layout\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\halltwin-gui.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\HallTwin.Run"; ValueType: string; ValueName: ""; ValueData: "HallTwin run"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\HallTwin.Run\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\halltwin-gui.exe,0"
Root: HKA; Subkey: "Software\Classes\HallTwin.Run\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\halltwin-gui.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.json\OpenWithProgids"; ValueType: string; ValueName: "HallTwin.Layout"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.h5\OpenWithProgids"; ValueType: string; ValueName: "HallTwin.Run"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Applications\halltwin-gui.exe\SupportedTypes"; ValueType: string; ValueName: ".json"; ValueData: ""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\halltwin-gui.exe\SupportedTypes"; ValueType: string; ValueName: ".h5"; ValueData: ""

[Run]
Filename: "{app}\halltwin-gui.exe"; Description: "{cm:LaunchProgram,HallTwin}"; Flags: nowait postinstall skipifsilent

[Code]
{ PATH: added for the current user (or machine, for an all-users install) when
  the task is chosen, removed again on uninstall. }
function PathKey(var Root: Integer): String;
begin
  if IsAdminInstallMode then begin
    Root := HKEY_LOCAL_MACHINE;
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';
  end else begin
    Root := HKEY_CURRENT_USER;
    Result := 'Environment';
  end;
end;

procedure EditPath(Add: Boolean);
var
  Root: Integer;
  Key, Paths, Dir: String;
  P: Integer;
begin
  Key := PathKey(Root);
  Dir := ExpandConstant('{app}');
  if not RegQueryStringValue(Root, Key, 'Path', Paths) then
    Paths := '';
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
  if Add and (P = 0) then begin
    if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then
      Paths := Paths + ';';
    RegWriteExpandStringValue(Root, Key, 'Path', Paths + Dir);
  end else if (not Add) and (P > 0) then begin
    Delete(Paths, P, Length(Dir) + 1);
    if (Length(Paths) > 0) and (Copy(Paths, Length(Paths), 1) = ';') then
      Delete(Paths, Length(Paths), 1);
    RegWriteExpandStringValue(Root, Key, 'Path', Paths);
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    EditPath(True);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    EditPath(False);
end;
