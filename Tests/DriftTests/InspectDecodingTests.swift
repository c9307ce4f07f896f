import Testing
@testable import Drift

@Suite struct InspectDecodingTests {
    @Test func decodesEngine2010InspectOutput() throws {
        let containers = try Fixtures.shopContainers()
        #expect(containers.map(\.name) == ["shop_web_1", "shop_api_1", "shop_db_1"])
        let web = containers[0]
        #expect(web.id.hasPrefix("9f2c1d7e5a3b"))
        #expect(web.imageID == Fixtures.nginxID)
        #expect(web.imageReference == "nginx:1.25.3")
        #expect(web.project == "shop")
        #expect(web.service == "web")
        #expect(web.containerNumber == 1)
        #expect(!web.isOneOff)
        #expect(web.running && web.status == "running")
        #expect(web.memory == 268_435_456)
        #expect(web.nanoCPUs == 500_000_000)
        #expect(web.pidsLimit == nil)
        #expect(web.restartPolicy == RestartPolicy(name: "unless-stopped"))
        #expect(web.portBindings == [
            PortBinding(hostIP: "", hostPort: "8080", containerPort: 80, proto: "tcp"),
            PortBinding(hostIP: "127.0.0.1", hostPort: "8443", containerPort: 443, proto: "tcp"),
        ])
        #expect(web.mounts.first == ActualContainer.Mount(type: "bind", name: "", source: "/srv/shop/html",
                                                          destination: "/usr/share/nginx/html", readWrite: false))
        #expect(web.environment["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")

        let api = containers[1]
        #expect(api.healthcheck == Healthcheck(test: ["CMD", "curl", "-f", "http://localhost:8000/health"],
                                               interval: 30_000_000_000, timeout: 5_000_000_000,
                                               startPeriod: 60_000_000_000, retries: 3))
        #expect(api.restartPolicy == RestartPolicy(name: "on-failure", maximumRetryCount: 3))
        #expect(api.capAdd == ["CAP_NET_BIND_SERVICE"])
        #expect(api.entrypoint == nil)
        #expect(api.mounts.first?.isAnonymousVolume == true)
    }

    @Test func acceptsASingleObjectFromTheAPI() throws {
        let json = #"{"Id": "abc", "Name": "/x", "Config": {"Env": ["A=1=2"]}, "State": {"Running": false, "Status": "exited"}}"#
        let containers = try ActualContainer.decodeInspectArray(Array(json.utf8))
        #expect(containers.count == 1)
        #expect(containers[0].environment == ["A": "1=2"])
        #expect(containers[0].status == "exited")
        #expect(containers[0].restartPolicy == .no)
    }

    @Test func malformedJSONIsADriftError() {
        let error = #expect(throws: DriftError.self) {
            try ActualContainer.decodeInspectArray(Array(#"[{"Name": "/x"}]"#.utf8))
        }
        #expect(error?.message.hasPrefix("container inspect json:") == true)
    }
}
