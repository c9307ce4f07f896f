import AuditCLI

await AuditCommand.runAndExit()
