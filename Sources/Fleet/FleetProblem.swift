import NIOSSL
import PostgresNIO

/// Turns what PostgresNIO and NIO throw into a `FleetError` a person can act on. The message says what
/// happened and what to do about PostgreSQL; what the caller does meanwhile (a collector keeps events in
/// its store, `audit serve` answers 503) is for the caller to add.
enum FleetProblem {
    static func describe(_ error: any Error, url: FleetURL) -> FleetError {
        if let error = error as? FleetError { return error }
        if let refused = certificateProblem(error, url: url) { return refused }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "no message"
                if state.hasPrefix("28") {
                    let password = url.passwordSource.map { "the password (from \($0))" } ?? "the password (none was given: put it in the URL, PGPASSWORD or the password file)"
                    return FleetError(.authentication, "PostgreSQL at \(url) refused user \(url.user): \(message); check \(password) and the server's pg_hba.conf")
                }
                if state == "3D000" {
                    return FleetError(.missingDatabase, "PostgreSQL at \(url) has no database \(url.database): create it (createdb -O \(url.user) \(url.database))")
                }
                // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going or not there yet.
                if state.hasPrefix("57P") { return unreachable(url, message) }
                return FleetError(.server, "PostgreSQL at \(url) failed: \(message) (SQLSTATE \(state))")
            }
            if error.code == .authMechanismRequiresPassword {
                return FleetError(.authentication, "PostgreSQL at \(url) asks user \(url.user) for a password and none was given: put it in the URL, PGPASSWORD or the password file")
            }
            if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .uncleanShutdown {
                return unreachable(url, error.underlying.map { "\($0)" } ?? "\(error.code)")
            }
            if error.code == .sslUnsupported {
                return FleetError(.server, "PostgreSQL at \(url) does not offer TLS and sslmode=require asks for it: enable ssl on the server, or use sslmode=prefer")
            }
            return FleetError(.server, "PostgreSQL at \(url) failed: \(error.code)" + (error.underlying.map { ": \($0)" } ?? ""))
        }
        if error is IOError || error is ChannelError || error is NIOConnectionError {
            return unreachable(url, "\(error)")
        }
        return FleetError(.server, "PostgreSQL at \(url) failed: \(error)")
    }

    /// The TLS handshake failed: with verify-ca or verify-full, most likely a certificate the CA did not
    /// sign or one that does not name the host. Not retried away as an outage: someone must look.
    static func certificateProblem(_ error: any Error, url: FleetURL) -> FleetError? {
        let underlying = (error as? PSQLError)?.underlying ?? error
        guard underlying is NIOSSLError || underlying is NIOSSLExtraError else { return nil }
        let check: String
        switch url.sslMode {
        case .verifyFull: check = "that it chains to the CA certificate \(url.rootCertificate ?? "") and names \(url.host)"
        case .verifyCA: check = "that it chains to the CA certificate \(url.rootCertificate ?? "")"
        case .require where url.rootCertificate != nil: check = "that it chains to the CA certificate \(url.rootCertificate ?? "") (libpq's require does so when one is configured)"
        default: check = "nothing of it (sslmode=\(url.sslMode.rawValue))"
        }
        return FleetError(.authentication, """
            PostgreSQL at \(url) failed the TLS handshake (\(underlying)); sslmode=\(url.sslMode.rawValue) checks \(check): give the CA that \
            signed the server's certificate in sslrootcert, and the host name the certificate names in the URL
            """)
    }

    static func unreachable(_ url: FleetURL, _ reason: String) -> FleetError {
        FleetError(.unreachable, "cannot reach PostgreSQL at \(url): \(reason); check that the server runs and listens there (listen_addresses, port, firewall)")
    }
}
