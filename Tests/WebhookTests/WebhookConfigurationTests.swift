import Testing
import Webhook

@Suite struct WebhookConfigurationTests {
    private func listen(_ text: String) -> String {
        do {
            let (host, port) = try WebhookConfiguration.parseListen(text)
            return "\(host) \(port)"
        } catch {
            return error.description
        }
    }

    @Test func listenAddresses() {
        #expect(listen("8780") == "127.0.0.1 8780")
        #expect(listen("0.0.0.0:8780") == "0.0.0.0 8780")
        #expect(listen("audit.internal:9000") == "audit.internal 9000")
        #expect(listen("[::1]:8780") == "::1 8780")
        #expect(listen("[::]:8780") == ":: 8780")
    }

    @Test func badListenAddressesSayWhatIsWrong() {
        #expect(listen("") == #"invalid webhook listen address "": port must be a number from 1 to 65535"#)
        #expect(listen("70000") == #"invalid webhook listen address "70000": port must be a number from 1 to 65535"#)
        #expect(listen("0") == #"invalid webhook listen address "0": port must be a number from 1 to 65535"#)
        #expect(listen("host:http") == #"invalid webhook listen address "host:http": port must be a number from 1 to 65535"#)
        #expect(listen(":8780") == #"invalid webhook listen address ":8780": missing host before the port (use 0.0.0.0:8780 to listen on every interface)"#)
        #expect(listen("::1:8780") == #"invalid webhook listen address "::1:8780": put an IPv6 address in brackets, as in [::1]:8780"#)
        #expect(listen("[::1]8780") == #"invalid webhook listen address "[::1]8780": expected [IPV6]:PORT"#)
        #expect(listen("localhost") == #"invalid webhook listen address "localhost": expected PORT, HOST:PORT or [IPV6]:PORT"#)
    }

    private func problem(host: String, secret: String?, insecure: Bool = false) -> String? {
        problem(WebhookConfiguration(host: host, port: 8780, secrets: RouteSecrets(deployments: secret.map { Array($0.utf8) }), insecureNoAuth: insecure))
    }

    private func problem(_ configuration: WebhookConfiguration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aSecretIsRequiredUnlessInsecureOnLoopback() {
        #expect(problem(host: "0.0.0.0", secret: "s3cr3t") == nil)
        #expect(problem(host: "127.0.0.1", secret: nil)
            == "the webhook listener needs a secret for at least one route: pass --webhook-secret-file PATH "
            + "(or AUDIT_WEBHOOK_SECRET) for /v1/deployments, --github-secret-file, --gitlab-token-file")
        for loopback in ["127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"] {
            #expect(problem(host: loopback, secret: nil, insecure: true) == nil, "\(loopback)")
        }
        for reachable in ["0.0.0.0", "::", "192.168.1.5", "128.0.0.1", "audit.internal", "::2"] {
            #expect(problem(host: reachable, secret: nil, insecure: true)
                == "refusing unauthenticated webhooks on \(reachable): listen on 127.0.0.1, ::1 or localhost, "
                + "or pass --webhook-secret-file PATH or set AUDIT_WEBHOOK_SECRET")
        }
    }

    @Test func unusableSecretsAreRefused() {
        #expect(problem(host: "127.0.0.1", secret: "") == "invalid webhook secret: --webhook-secret-file: the secret is empty")
        #expect(problem(host: "127.0.0.1", secret: "whsec_not base64!") == "invalid webhook secret: --webhook-secret-file: a whsec_ secret must be followed by base64")
        #expect(problem(host: "127.0.0.1", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil)
        let binary = WebhookConfiguration(host: "127.0.0.1", port: 8780, secrets: RouteSecrets(github: [0xFF, 0xFE]))
        #expect(problem(binary) == "invalid webhook secret: --github-secret-file: the secret is not UTF-8 text")
        let noRoom = WebhookConfiguration(host: "127.0.0.1", port: 8780, secrets: RouteSecrets(deployments: Array("s".utf8)), limits: WebhookLimits(maxBodyBytes: 0))
        #expect(throws: WebhookConfigurationError.invalidBodyLimit(0)) { try noRoom.validate() }
    }

    @Test func routesCannotShareASecret() {
        let shared = WebhookConfiguration(host: "127.0.0.1", port: 8780,
            secrets: RouteSecrets(deployments: Array("one".utf8), github: Array("two".utf8), gitlab: Array("one".utf8)))
        #expect(problem(shared)?.hasPrefix("--webhook-secret-file and --gitlab-token-file hold the same secret") == true)
        let mixed = WebhookConfiguration(host: "127.0.0.1", port: 8780, secrets: RouteSecrets(deployments: Array("one".utf8)), insecureNoAuth: true)
        #expect(problem(mixed) == "invalid webhook configuration: --insecure-no-auth cannot be combined with a secret")
    }
}
