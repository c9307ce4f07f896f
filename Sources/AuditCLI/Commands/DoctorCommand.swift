import ArgumentParser
import AuditStore
import AuditSupport
import DockerAPI
#if canImport(Glibc)
import Glibc
#endif

/// `audit doctor`: one line per check and, for each that fails, what to do. Exit 0 when all pass and
/// 1 otherwise, so a cron job or a monitoring probe can run it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that collection works here: the engine, the socket, the store, secret files, and that events keep arriving.",
        discussion: """
            Checks: the Docker engine answers and speaks API \(DockerClient.minimumAPIVersion) or newer; its unix socket is \
            readable and writable by this user; the store opens read-only, its schema is current, PRAGMA quick_check passes, \
            and its file system has room for a week at the last day's rate; each secret file given is readable by its owner \
            and group only; a collector is writing (its coverage heartbeat is under 90 s old), the last event is younger than \
            --max-event-age, and the last gap was reconciled; for each notification sink the store has delivered to, \
            nothing has waited over 5 minutes and nothing was refused in the last day; for each forwarding target, events \
            are confirmed (nothing waits with no success for 5 minutes). Exit status: 0 when every check passes, 1 otherwise.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var docker: DockerOptions
    @Option(help: ArgumentHelp("The secret files the collector reads (--webhook-secret-file, --github-secret-file, --gitlab-token-file): readable by nobody but its owner and group (0600, or 0640 root:audit).", valueName: "path"))
    var secretFile: [String] = []
    @Option(help: ArgumentHelp("How old the newest stored event may be (a host with health checks sees events every few seconds).", valueName: "duration"))
    var maxEventAge: String = "24h"

    func validate() throws {
        try store.validateLogLevel()
        guard TimeArgument.parseDuration(maxEventAge) != nil else {
            throw ValidationError("--max-event-age \"\(maxEventAge)\" is not a duration (30m, 24h)")
        }
    }

    struct Check {
        var name: String
        var ok: Bool
        var detail: String
        var fix: String?
    }

    func run() async throws {
        var checks = await engineChecks()
        checks += storeChecks()
        checks += secretFile.map(Self.secretFileCheck)
        var out = Terminal.Buffered()
        for c in checks {
            out.line("\(c.ok ? "ok  " : "FAIL")  \(c.name.padding(toLength: 10, withPad: " ", startingAt: 0))  \(VisibleText.escaped(c.detail))")
            if !c.ok, let fix = c.fix { out.line("                  fix: \(fix)") }
        }
        let failed = checks.filter { !$0.ok }.count
        out.line(failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed")
        out.flush()
        if failed > 0 { throw ExitCode(1) }
    }

    private func engineChecks() async -> [Check] {
        let host: DockerHost
        do {
            host = try docker.resolve()
        } catch {
            return [Check(name: "engine", ok: false, detail: "\(error)", fix: "pass --docker-host unix:///path/docker.sock or tcp://host:2376")]
        }
        var checks: [Check] = []
        if case .unix(let path) = host.endpoint {
            let usable = access(path, R_OK | W_OK) == 0
            let missing = !usable && errno == ENOENT
            checks.append(Check(name: "socket", ok: usable, detail: usable ? "\(path) is readable and writable" : "\(path): \(String(cString: strerror(errno)))",
                                fix: missing ? "start the Docker engine, or point --docker-host / DOCKER_HOST at its socket"
                                    : "run as root, or add this user to the socket's group (usermod -aG docker USER) and log in again"))
        }
        var client = DockerClient(host: host)
        do {
            let version = try await client.negotiate()
            checks.append(Check(name: "engine", ok: true, detail: "\(host) answers with API \(version) (\(DockerClient.minimumAPIVersion) or newer needed)"))
        } catch {
            checks.append(Check(name: "engine", ok: false, detail: "\(error)",
                                fix: "start the Docker engine, or point --docker-host / DOCKER_HOST at the one to audit"))
        }
        return checks
    }

    private func storeChecks() -> [Check] {
        let path: String
        let reader: StoreReader
        do {
            path = try store.resolvedPath()
            reader = try StoreReader(path: path)
        } catch {
            return [Check(name: "store", ok: false, detail: (error as? SQLiteError)?.message ?? "\(error)", fix: "start `audit collect --db PATH` (it creates the store), or pass the --db it uses")]
        }
        var checks: [Check] = []
        let now = Timestamp.now().nanoseconds
        do {
            let status = try reader.status(recent: 1)
            let current = StoreReader.currentSchemaVersion
            checks.append(Check(name: "schema", ok: status.schemaVersion == current,
                                detail: "\(path) at schema v\(status.schemaVersion); this audit writes v\(current)",
                                fix: status.schemaVersion < current ? "restart the collector with this audit: it migrates the store at start"
                                    : "upgrade audit: the store was written by a newer version"))
            let problems = try reader.quickCheck()
            checks.append(Check(name: "integrity", ok: problems.isEmpty, detail: problems.isEmpty ? "PRAGMA quick_check: ok" : problems.joined(separator: "; "),
                                fix: "stop the collector, copy the store aside, and recover it with `sqlite3 STORE .recover`"))
            checks.append(diskCheck(reader, path: path, status: status, now: now))
            checks += activityChecks(status, now: now)
            checks += try notificationChecks(reader, now: now)
            checks += try forwardingChecks(reader, now: now)
        } catch {
            checks.append(Check(name: "store", ok: false, detail: "\(path): \(error)", fix: "check the file and its permissions; `audit status --db \(path)` shows more"))
        }
        return checks
    }

    private func diskCheck(_ reader: StoreReader, path: String, status: StoreStatus, now: Int64) -> Check {
        let total = status.eventsBySource.reduce(0) { $0 + $1.1 }
        let size = storeSize(path)
        let lastDay = (try? reader.eventCount(fromNs: now - 86_400_000_000_000, toNs: now)) ?? 0
        let bytesPerEvent = total > 0 ? Double(size) / Double(total) : 0
        let week = Int64(Double(lastDay) * 7 * bytesPerEvent)
        var fs = statvfs()
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let directory = parts.count < 2 ? "." : (parts.dropLast().joined(separator: "/").isEmpty ? "/" : parts.dropLast().joined(separator: "/"))
        guard statvfs(directory, &fs) == 0 else {
            return Check(name: "disk", ok: false, detail: "cannot read free space of \(directory): \(String(cString: strerror(errno)))", fix: "check the directory exists")
        }
        let (product, overflow) = Int64(clamping: fs.f_bavail).multipliedReportingOverflow(by: Int64(clamping: fs.f_frsize))
        let free = overflow ? .max : product
        return Check(name: "disk", ok: free > week,
                     detail: "\(ByteSize.approximate(free)) free; a week at the last day's \(lastDay) events needs \(ByteSize.approximate(week))",
                     fix: "free space on that file system or move the store (--db) to a larger one")
    }

    private func activityChecks(_ status: StoreStatus, now: Int64) -> [Check] {
        var checks: [Check] = []
        let heartbeat = status.recentIntervals.first.map { ($0.open, now - $0.endNs) }
        let writing = heartbeat.map { $0.0 && $0.1 < 90_000_000_000 } ?? false
        checks.append(Check(
            name: "collector", ok: writing,
            detail: heartbeat.map { $0.0 ? "last coverage heartbeat \(DurationFormat.short(nanoseconds: $0.1)) ago" : "no collector connected since \(DurationFormat.short(nanoseconds: $0.1)) ago" }
                ?? "no collector has ever written this store",
            fix: "start the collector: systemctl start audit-collector (journalctl -u audit-collector says why it stopped)"))
        let limit = TimeArgument.parseDuration(maxEventAge) ?? 0
        let age = status.newestEventNs.map { now - $0 }
        checks.append(Check(name: "events", ok: age.map { $0 <= limit } ?? false,
                            detail: age.map { "newest event \(DurationFormat.short(nanoseconds: $0)) old (limit \(maxEventAge))" } ?? "no event stored yet",
                            fix: "check the collector's log for stream errors; an engine without containers is quiet: raise --max-event-age"))
        if let gap = status.recentGaps.first {
            checks.append(Check(name: "reconcile", ok: gap.changesFound != nil,
                                detail: gap.changesFound.map { "last gap (\(gap.cause)) reconciled: \($0) change(s) found" } ?? "last gap (\(gap.cause)) was not reconciled",
                                fix: "the collector reconciles when it reconnects: check its log for inspect errors"))
        }
        return checks
    }

    /// One line per notification sink the store has delivered to: fails when a notification has waited
    /// over 5 minutes (the sink is down or unreachable) or a sink refused one in the last day.
    private func notificationChecks(_ reader: StoreReader, now: Int64) throws -> [Check] {
        try reader.notificationBacklog(refusedSinceNs: now - 86_400_000_000_000).map { sink in
            let waited = sink.oldestPendingNs.map { now - $0 } ?? 0
            let stuck = waited > 300_000_000_000
            var detail = "\(sink.sink): \(sink.pending) pending" + (sink.pending > 0 ? " (oldest \(DurationFormat.short(nanoseconds: waited)))" : "")
            if sink.refused > 0 { detail += ", \(sink.refused) refused by the sink in the last 24h" }
            return Check(name: "notify", ok: !stuck && sink.refused == 0, detail: detail,
                         fix: sink.refused > 0 ? "the sink answered 4xx: check its URL and credentials; the collector's log has its answer (notification refused)"
                             : "the sink does not answer 2xx: check that it is up and reachable from this host; the collector retries by itself "
                                 + "(a sink removed from the configuration keeps its pending notifications until retention drops them)")
        }
    }

    /// One line per forwarding target worked on in the last day: fails when events wait and nothing was
    /// confirmed for 5 minutes.
    private func forwardingChecks(_ reader: StoreReader, now: Int64) throws -> [Check] {
        try reader.forwardingStates().filter { now - $0.updatedNs < 86_400_000_000_000 }.map { target in
            let sinceSuccess = target.lastSuccessNs.map { now - $0 }
            let ok = target.pendingRows == 0 || (sinceSuccess.map { $0 < 300_000_000_000 } ?? false)
            var detail = target.target + ": " + (target.pendingRows == 0 ? "caught up" : "\(target.pendingRows) events not confirmed")
            detail += sinceSuccess.map { ", last success \(DurationFormat.short(nanoseconds: $0)) ago" } ?? ", never confirmed anything"
            if !ok, let error = target.lastError { detail += "; last error: \(error)" }
            return Check(name: "forward", ok: ok, detail: detail,
                         fix: "check that PostgreSQL is up and reachable from this host and the password (the collector's log names the error); "
                             + "the collector catches up by itself, and retention keeps what is not confirmed")
        }
    }

    static func secretFileCheck(_ path: String) -> Check {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return Check(name: "secret", ok: false, detail: "\(path): \(String(cString: strerror(errno)))", fix: "check the path the collector is given")
        }
        let mode = info.st_mode & 0o777
        // 0600, or 0640 with the service's group (root:audit): never others, never group-writable.
        let ok = mode & 0o027 == 0 && mode & 0o400 != 0
        return Check(name: "secret", ok: ok, detail: "\(path) has mode \(String(mode, radix: 8))",
                     fix: mode & 0o400 == 0 ? "chmod 600 \(path): the collector's user must be able to read it"
                        : "chmod 600 \(path) (or 640 with the collector's group): anyone who reads it can sign deployment records")
    }
}
