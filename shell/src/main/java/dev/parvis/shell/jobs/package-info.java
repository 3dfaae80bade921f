/** Background jobs: -AsJob and Start-Job, with Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job. */
package dev.parvis.shell.jobs;
