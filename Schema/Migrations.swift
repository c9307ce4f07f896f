/// The schema migrations in this folder, in the order they apply. Each `.sql` file is embedded into the
/// binary at build time (`embedInCode` in Package.swift), so an installed `audit` carries its schema.
/// Adding a migration: add `NNN_name.sql` here, to Package.swift's resources, and to `all` (SwiftPM
/// names the embedded bytes after the file, its first character replaced: `001_x.sql` → `_01_x_sql`).
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
}

public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "001_events.sql", sql: String(decoding: PackageResources._01_events_sql, as: UTF8.self)),
        Migration(version: 2, name: "002_deployments.sql", sql: String(decoding: PackageResources._02_deployments_sql, as: UTF8.self)),
        Migration(version: 3, name: "003_drift_findings.sql", sql: String(decoding: PackageResources._03_drift_findings_sql, as: UTF8.self)),
        Migration(version: 4, name: "004_event_indexes.sql", sql: String(decoding: PackageResources._04_event_indexes_sql, as: UTF8.self)),
        Migration(version: 5, name: "005_webhook_replays.sql", sql: String(decoding: PackageResources._05_webhook_replays_sql, as: UTF8.self)),
        Migration(version: 6, name: "006_container_creates.sql", sql: String(decoding: PackageResources._06_container_creates_sql, as: UTF8.self)),
        Migration(version: 7, name: "007_retention.sql", sql: String(decoding: PackageResources._07_retention_sql, as: UTF8.self)),
        Migration(version: 8, name: "008_notifications.sql", sql: String(decoding: PackageResources._08_notifications_sql, as: UTF8.self)),
        Migration(version: 9, name: "009_host_identity.sql", sql: String(decoding: PackageResources._09_host_identity_sql, as: UTF8.self)),
        Migration(version: 10, name: "010_forward_changes.sql", sql: String(decoding: PackageResources._10_forward_changes_sql, as: UTF8.self)),
        Migration(version: 11, name: "011_forward_changes_deletes.sql", sql: String(decoding: PackageResources._11_forward_changes_deletes_sql, as: UTF8.self)),
    ]

    /// The fleet's PostgreSQL schema (`Schema/postgres/`), numbered on its own and recorded in that
    /// database's `schema_migrations`; it describes the same events as the SQLite one, keyed by host.
    public static let postgres: [Migration] = [
        Migration(version: 1, name: "001_fleet.sql", sql: String(decoding: PackageResources._01_fleet_sql, as: UTF8.self)),
        Migration(version: 2, name: "002_fleet_records.sql", sql: String(decoding: PackageResources._02_fleet_records_sql, as: UTF8.self)),
    ]
}
