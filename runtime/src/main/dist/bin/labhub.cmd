@echo off
rem LabHub launcher for Windows, the same as bin/labhub. Usage: bin\labhub.cmd [-c "CMD; CMD"] [options] [--help]
rem Every argument goes to the launcher unchanged (io.labhub.launcher.Main), so -c and the other options
rem behave as with bin/labhub, and the exit status is the launcher's: 0 ok, 1 a command failed, 2 bad usage,
rem 3 did not start or not ready in time, and the rest as bin/labhub --help lists them.
rem Needs a Java 25 or newer (the bundles are Java 25 class files and require osgi.ee JavaSE 25). It looks,
rem in this order, at %LABHUB_JAVA% (a java.exe), %JAVA_HOME%, the java.exe on the PATH, then every JDK folder
rem under %ProgramFiles%\Eclipse Adoptium, %ProgramFiles%\Java, %ProgramFiles%\Microsoft, %ProgramFiles%\Zulu
rem and %USERPROFILE%\.jdks, and takes the first that is 25 or newer. LABHUB_JDK_SEARCH (folders separated by
rem semicolons, each holding JDK folders) replaces that list. No Java 25+: a message and exit status 2.
rem LABHUB_JAVA_OPTS adds JVM options.
setlocal EnableExtensions DisableDelayedExpansion

set "LABHUB_HOME=%~dp0.."
for %%I in ("%LABHUB_HOME%") do set "LABHUB_HOME=%%~fI"
set "REQUIRED=25"
set "JAVA="
set "FOUND="

if defined LABHUB_JAVA call :try "%LABHUB_JAVA%"
if defined JAVA goto found
if defined JAVA_HOME call :try "%JAVA_HOME%\bin\java.exe"
if defined JAVA goto found
for /f "delims=" %%J in ('where java.exe 2^>nul') do call :try "%%J"
if defined JAVA goto found
set "SEARCH=%ProgramFiles%\Eclipse Adoptium;%ProgramFiles%\Java;%ProgramFiles%\Microsoft;%ProgramFiles%\Zulu;%USERPROFILE%\.jdks"
if defined LABHUB_JDK_SEARCH set "SEARCH=%LABHUB_JDK_SEARCH%"
for %%D in ("%SEARCH:;=" "%") do call :searchIn "%%~D"
if defined JAVA goto found

echo labhub: no Java %REQUIRED% or newer found; LabHub's bundles are Java %REQUIRED% class files (they require osgi.ee JavaSE %REQUIRED%). 1>&2
rem no parenthesised block here: a found path or "(Java 17)" could close it
if defined FOUND echo Java installations found, all too old:%FOUND% 1>&2
if not defined FOUND echo No Java installation found at all. 1>&2
echo Install a JDK %REQUIRED%+ ^(e.g. Eclipse Temurin 25: winget install EclipseAdoptium.Temurin.25.JDK^) or set JAVA_HOME ^(or LABHUB_JAVA^) to one. 1>&2
exit /b 2

:found
rem --enable-native-access: the FFM downcalls (kernel32, libsodium). ExitOnOutOfMemoryError: an OOM leaves
rem threads dead in a process that looks alive, so exit at once (status 3). Felix 7.0.5 uses sun.misc.Unsafe;
rem the last flag silences its warning.
"%JAVA%" --enable-native-access=ALL-UNNAMED -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow %LABHUB_JAVA_OPTS% "-Dlabhub.home=%LABHUB_HOME%" -cp "%LABHUB_HOME%\lib\*" io.labhub.launcher.Main --home "%LABHUB_HOME%" %*
exit /b %ERRORLEVEL%

rem ---- :searchIn FOLDER: tries FOLDER\*\bin\java.exe ----
:searchIn
if defined JAVA goto :eof
if not exist "%~1\" goto :eof
for /d %%K in ("%~1\*") do call :try "%%~fK\bin\java.exe"
goto :eof

rem ---- :try JAVA_EXE: takes it when its java.specification.version is REQUIRED or newer ----
:try
if defined JAVA goto :eof
if not exist "%~1" goto :eof
set "MAJOR="
set "VERFILE=%TEMP%\labhub-java-version-%RANDOM%%RANDOM%.txt"
"%~1" -XshowSettings:properties -version >"%VERFILE%" 2>&1
rem the line is "    java.specification.version = 25" ("1.8" for very old JDKs, which then reads as 1)
for /f "usebackq tokens=2 delims==" %%V in (`findstr /c:"java.specification.version =" "%VERFILE%"`) do (
    for /f "tokens=1 delims=. " %%N in ("%%V") do set "MAJOR=%%N"
)
del "%VERFILE%" >nul 2>&1
if not defined MAJOR goto :eof
set "FOUND=%FOUND% [%~1 (Java %MAJOR%)]"
if %MAJOR% GEQ %REQUIRED% set "JAVA=%~1"
goto :eof
