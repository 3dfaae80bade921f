# A data disk made with New-VHD in the host's storage directory, inspected, grown, attached to a VM
# that is off, listed, detached (the file stays), through the disk and drive commands. Prints only
# what is the same on every host.
param([string]$Prefix = 'e2e', [string]$Disk = 'data1.vhdx')
$ErrorActionPreference = 'Stop'
$name = "$Prefix-disk1"
New-VM -Name $name -MemoryStartupBytes 16MB | Out-Null

$vhd = New-VHD -Path $Disk -SizeBytes 64MB -Dynamic
"new disk: $($vhd.VhdType), $($vhd.Size / 1MB) MB"
Resize-VHD -Path $Disk -SizeBytes 128MB
Get-VHD -Path $Disk | ForEach-Object { "after resize: $($_.VhdType), $($_.Size / 1MB) MB, sector $($_.LogicalSectorSize)" }

Add-VMHardDiskDrive -VMName $name -Path $Disk -WhatIf
"drives after -WhatIf: $(@(Get-VMHardDiskDrive -VMName $name).Count)"
Add-VMHardDiskDrive -VMName $name -Path $Disk
# a file is attached once (a second writer would be refused by its lock): the second drive gets its own disk
$Second = $Disk -replace '\.vhdx$', '-b.vhdx'
New-VHD -Path $Second -SizeBytes 64MB -Dynamic | Out-Null
$drive = Add-VMHardDiskDrive -VMName $name -Path $Second -Passthru
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
