import Testing
@testable import Deployments

@Suite struct ComposeOutputParserTests {
    typealias Touch = ComposeOutputParser.Touch

    @Test func readsComposeV1Progress() {
        let output = """
            Creating network "shop_default" with the default driver
            Pulling api ... done
            Recreating shop_api_1 ... \r\u{1B}[1A\u{1B}[2KRecreating shop_api_1 ... \u{1B}[32mdone\u{1B}[0m
            Creating shop_worker_1    ... done
            Starting shop_cache_1 ... done
            Stopping shop_old_1 ... done
            Removing shop_old_1 ... done
            Restarting shop_proxy_1 ... error
            shop_db_1 is up-to-date
            """
        #expect(ComposeOutputParser.parse(output) == [
            Touch(container: "shop_api_1", action: .recreated),
            Touch(container: "shop_worker_1", action: .created),
            Touch(container: "shop_cache_1", action: .started),
            Touch(container: "shop_old_1", action: .removed),
            Touch(container: "shop_proxy_1", action: .restarted),
            Touch(container: "shop_db_1", action: .upToDate),
        ])
        // Up to date means untouched.
        #expect(ComposeOutputParser.changedContainers(output) == ["shop_api_1", "shop_worker_1", "shop_cache_1", "shop_old_1", "shop_proxy_1"])
    }

    @Test func upToDateContainersAreNotChanged() {
        #expect(ComposeOutputParser.changedContainers("myproj_api_1 is up-to-date\nmyproj_db_1 is up-to-date\n") == [])
        #expect(ComposeOutputParser.changedContainers(" ✔ Container myproj-api-1  Running  0.0s\n") == [])
        #expect(ComposeOutputParser.changedContainers("nothing about containers\n") == nil)
    }

    @Test func readsComposeV2Progress() {
        let output = """
            [+] Running 4/4
             ✔ Network shop_default      Created                                   0.1s
             ✔ Container shop-db-1       Running                                   0.0s
             ⠿ Container shop-api-1      Recreate                                  0.2s
             ✔ Container shop-api-1      Recreated                                 1.3s
             ✔ Container shop-api-1      Started                                   0.3s
             Container shop-worker-1  Created
             Container shop-worker-1  Starting
             Container shop-worker-1  Started
             Container shop-api-1  Waiting
             Container shop-api-1  Healthy
             Container shop-old-1  Stopped\r
             Container shop-old-1  Removed
             Container shop-proxy-1  Restarting
            The Container shop-x-1 was not touched
            """
        #expect(ComposeOutputParser.parse(output) == [
            Touch(container: "shop-db-1", action: .running),
            Touch(container: "shop-api-1", action: .recreated),
            Touch(container: "shop-worker-1", action: .created),
            Touch(container: "shop-old-1", action: .removed),
            Touch(container: "shop-proxy-1", action: .restarted),
        ])
    }

    @Test func ignoresOtherOutput() {
        #expect(ComposeOutputParser.parse("Error response from daemon: No such container: x\n api Pulled\n").isEmpty)
    }
}
