# A VM's life through the Hyper-V-style commands: create, configure, start, query, pipe, format,
# save, restore, pause, resume, copy a file in, stop (as a job), remove. Prints only what is the
# same on every host, so local and remote runs can be compared line by line.
param([string]$Prefix = 'e2e')
$ErrorActionPreference = 'Stop'
$name = "$Prefix-web1"

function Wait-Service([string]$VMName, [string]$Service) {
    $deadline = (Get-Date).AddSeconds(60)
    while (($status = (Get-VMIntegrationService -VMName $VMName -Name $Service).PrimaryStatusDescription) -ne 'OK') {
        if ((Get-Date) -gt $deadline) { throw "$Service of $VMName is '$status', not OK" }
        Start-Sleep -Milliseconds 200
    }
}

function Wait-Heartbeat([string]$VMName) {
    Wait-Service $VMName Heartbeat
    'heartbeat OK'
}

New-VM -Name $name -MemoryStartupBytes 16MB |
    Select-Object Name, State, ProcessorCount, @{ n = 'MemoryMB'; e = { $_.MemoryStartup / 1MB } } |
    Format-Table -AutoSize
New-VM -Name "$Prefix-db1" -MemoryStartupBytes 32MB | Out-Null
Set-VM -Name $name -Notes 'front end' -AutomaticStopAction TurnOff
Set-VMProcessor -VMName $name -Maximum 50 -RelativeWeight 200
Get-VMProcessor -VMName $name | Format-Table VMName, Count, Maximum, RelativeWeight -AutoSize
Enable-VMIntegrationService -VMName $name -Name 'Guest Service Interface'

Start-VM -Name $name
"state after start: $((Get-VM -Name $name).State)"
Wait-Heartbeat $name
Get-VM -Name "$Prefix-*" | Sort-Object Name | Format-Table Name, State, Notes -AutoSize
"running: " + ((Get-VM | Where-Object State -eq Running | ForEach-Object Name) -join ',')
"first by memory: " + (Get-VM -Name "$Prefix-*" | Sort-Object MemoryStartup -Descending | Select-Object -First 1).Name
(Get-VMIntegrationService -VMName $name | Where-Object Enabled | Measure-Object).Count
Copy-VMFile -Name $name -SourcePath 'shell-e2e.txt' -DestinationPath '/shell-e2e.txt' -FileSource Host
'copied'

Save-VM -Name $name
"state after save: $((Get-VM $name).State)"
Start-VM -Name $name
"state after restore: $((Get-VM $name).State)"
Suspend-VM -Name $name
"state after suspend: $((Get-VM $name).State)"
Resume-VM -Name $name
"state after resume: $((Get-VM $name).State)"
(Measure-VM -Name $name).VMName

# A graceful stop needs the guest's shutdown service: as a Hyper-V user would, wait until it shows OK
# (a restored VM's services keep the versions they negotiated, but their channels open with the VM).
Wait-Service $name Shutdown
$job = Stop-VM -Name $name -AsJob
$job | Wait-Job -Timeout 120 | Out-Null
"job: $($job.State)"
"state after stop: $((Get-VM $name).State)"
Get-VM -Name $name | Select-Object Name, State, ProcessorCount, Notes | ConvertTo-Json -Compress -EnumsAsStrings

Get-VM -Name "$Prefix-*" | Remove-VM -Force
"left: $(@(Get-VM -Name "$Prefix-*").Count)"
