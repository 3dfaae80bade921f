# Error handling: non-terminating errors, -ErrorAction, try/catch/finally, $?, $Error, exit codes.
$ErrorActionPreference = 'Continue'
Write-Error 'first problem' -ErrorAction SilentlyContinue
"after a silent error: `$? is $?, last error: $($Error[0].Exception.Message)"

function Get-Thing([string]$Name) {
    if ($Name -notlike 'web*') { Write-Error "no thing named $Name"; return }
    "thing $Name"
}

$found = 'web1', 'db1', 'web2' | ForEach-Object { Get-Thing $_ -ErrorAction SilentlyContinue }
"found: $($found -join ', ')"

try {
    Get-Thing db2 -ErrorAction Stop
    'not reached'
} catch {
    "caught: $($_.Exception.Message) at line $($_.InvocationInfo.ScriptLineNumber)"
} finally {
    'cleanup ran'
}

$result = try { [int]'twelve' } catch { -1 }
"conversion failed, using $result"

if ($Error.Count -lt 2) { exit 9 }
exit 4
