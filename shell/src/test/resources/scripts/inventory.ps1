# Inventory report: functions with parameters, pipelines, calculated properties, JSON and CSV round trips.
param([int]$MinimumMB = 512, [string]$Out = ([System.IO.Path]::GetTempPath() + 'parvis-inventory.csv'))

function New-Machine {
    param([Parameter(Mandatory)][string]$Name, [long]$MemoryBytes, [string]$State = 'Off')
    [pscustomobject]@{ Name = $Name; MemoryMB = $MemoryBytes / 1MB; State = $State }
}

$machines = @(
    New-Machine -Name web1 -MemoryBytes 1GB -State Running
    New-Machine -Name web2 -MemoryBytes 512MB -State Running
    New-Machine -Name db1 -MemoryBytes 4GB
    New-Machine -Name tiny -MemoryBytes 128MB -State Saved
)

"{0} machines, {1} running" -f $machines.Count, ($machines | Where-Object State -eq Running).Count

$machines |
    Where-Object { $_.MemoryMB -ge $MinimumMB } |
    Sort-Object MemoryMB -Descending |
    Select-Object Name, State, @{ n = 'MemoryGB'; e = { [math]::Round($_.MemoryMB / 1024, 2) } } |
    Format-Table -AutoSize

$byState = $machines | Group-Object State | Sort-Object Name
foreach ($g in $byState) {
    "{0,-8} {1}" -f $g.Name, (($g.Group | ForEach-Object Name) -join ', ')
}

$json = $machines | ConvertTo-Json -Compress
$back = $json | ConvertFrom-Json
"json round trip: $($back.Count) objects, first is $($back[0].Name)"

$machines | Export-Csv -Path $Out
$imported = Import-Csv $Out
"csv round trip: $(($imported | Measure-Object).Count) rows, total $(($imported | Measure-Object MemoryMB -Sum).Sum) MB"
