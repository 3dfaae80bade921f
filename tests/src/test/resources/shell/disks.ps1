# A data disk attached to a VM that is off, listed, detached (the file stays), through the drive
# commands. The disk file is made beforehand in the host's storage directory (by the VHDX library:
# New-VHD needs the host's virtual disk service). Prints only what is the same on every host.
param([string]$Prefix = 'e2e', [string]$Disk = 'data1.vhdx')
$ErrorActionPreference = 'Stop'
$name = "$Prefix-disk1"
New-VM -Name $name -MemoryStartupBytes 16MB | Out-Null

Add-VMHardDiskDrive -VMName $name -Path $Disk -WhatIf
"drives after -WhatIf: $(@(Get-VMHardDiskDrive -VMName $name).Count)"
Add-VMHardDiskDrive -VMName $name -Path $Disk
$drive = Add-VMHardDiskDrive -VMName $name -Path $Disk -Passthru
"second drive at location $($drive.ControllerLocation)"
Get-VMHardDiskDrive -VMName $name |
    Select-Object VMName, ControllerType, ControllerNumber, ControllerLocation, @{ n = 'File'; e = { $_.Path -replace '^.*/', '' } } |
    Format-Table -AutoSize

try {
    Add-VMHardDiskDrive -VMName $name -Path 'no-such-disk.vhdx'
} catch {
    "refused: $($_.CategoryInfo.Category)"
}

Get-VMHardDiskDrive -VMName $name | Where-Object ControllerLocation -eq 1 | Remove-VMHardDiskDrive
Get-VMHardDiskDrive -VMName $name | ForEach-Object { "left: $($_.ControllerLocation)" }
Remove-VMHardDiskDrive -VMName $name -ControllerLocation 0
"drives at the end: $(@(Get-VMHardDiskDrive -VMName $name).Count)"
Remove-VM -Name $name -Force
