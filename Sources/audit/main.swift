import AuditCLI

// Naming the async entry point explicitly: plain `AuditCommand.main()` resolves to the synchronous one.
let root: any AsyncParsableCommandRoot.Type = AuditCommand.self
await root.main()
