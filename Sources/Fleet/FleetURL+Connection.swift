import PostgresNIO

extension FleetURL {
    /// PostgresNIO's settings for this URL. TLS, as libpq's prefer and require, encrypts without
    /// checking the server's certificate; verify-ca (and require with a CA certificate configured, as in
    /// libpq) checks that it chains to `rootCertificate`, verify-full also that it names the host (or,
    /// for an address, holds it), which NIOSSL checks against the connected address when there is no name.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if isSocket {
            configuration = .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            switch sslMode {
            case .verifyFull: tlsConfiguration.certificateVerification = .fullVerification
            case .verifyCA: tlsConfiguration.certificateVerification = .noHostnameVerification
            case .require where rootCertificate != nil: tlsConfiguration.certificateVerification = .noHostnameVerification
            case .disable, .prefer, .require: tlsConfiguration.certificateVerification = .none
            }
            if tlsConfiguration.certificateVerification != .none, let rootCertificate, rootCertificate != "system" {
                do {
                    tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
                } catch {
                    throw FleetError(.invalidURL, """
                        cannot read the CA certificate \(rootCertificate) that sslmode=\(sslMode.rawValue) checks PostgreSQL's certificate against \
                        (\(error)): give the CA's PEM file in sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt
                        """)
                }
            }
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
