import Testing
@testable import Deployments

@Suite struct DeploymentCommandTests {
    @Test func composeUpWithProjectAndServices() throws {
        let c = try #require(DeploymentCommand.recognize("docker --context prod compose -f a.yml -p shop up -d --scale api=2 api worker 2>&1 | tee up.log"))
        #expect(c.kind == .compose("up"))
        #expect(c.project == "shop")
        #expect(c.services == ["api", "worker"])
        #expect(c.text == "docker --context prod compose -f a.yml -p shop up -d --scale api=2 api worker 2>&1 | tee up.log")
    }

    @Test func composeVariants() throws {
        #expect(DeploymentCommand.recognize("docker-compose --project-name=shop down --remove-orphans")?.project == "shop")
        #expect(DeploymentCommand.recognize("COMPOSE_PROJECT_NAME=shop sudo -E docker compose restart api")?.project == "shop")
        #expect(DeploymentCommand.recognize("docker compose pull")?.services == nil)
        #expect(DeploymentCommand.recognize("cd /srv/shop && docker compose up -d")?.kind == .compose("up"))
        let run = try #require(DeploymentCommand.recognize("docker compose run --rm -e X=1 migrate ./manage.py migrate --noinput"))
        #expect(run.services == ["migrate"])
        // An unexpanded variable says nothing; a known one expands.
        #expect(DeploymentCommand.recognize(#"docker compose -p "$STACK" up -d"#)?.project == nil)
        #expect(DeploymentCommand.recognize(#"docker compose -p "${STACK}" up -d"#, environment: ["STACK": "shop"])?.project == "shop")
    }

    @Test func nonDeployingCommands() {
        #expect(DeploymentCommand.recognize("docker compose ps") == nil)
        #expect(DeploymentCommand.recognize("docker compose version") == nil)
        #expect(DeploymentCommand.recognize("docker ps -a") == nil)
        #expect(DeploymentCommand.recognize("docker image prune -f") == nil)
        #expect(DeploymentCommand.recognize("echo docker compose up -d") == nil)
        #expect(DeploymentCommand.recognize("# docker compose up -d") == nil)
    }

    @Test func swarmCommands() throws {
        let stack = try #require(DeploymentCommand.recognize("docker stack deploy -c docker-stack.yml --with-registry-auth shop"))
        #expect(stack.kind == .stackDeploy)
        #expect(stack.project == "shop")
        let update = try #require(DeploymentCommand.recognize("docker service update --image ghcr.io/acme/api:1.4.2 --force --update-parallelism 1 shop_api"))
        #expect(update.kind == .serviceUpdate)
        #expect(update.services == ["shop_api"])
        #expect(update.images == ["shop_api": "ghcr.io/acme/api:1.4.2"])
    }

    @Test func runAndRm() throws {
        let run = try #require(DeploymentCommand.recognize("docker run -dit --rm --name=shop-migrate -e A=1 ghcr.io/acme/api:1.4.2 migrate --name ignored"))
        #expect(run.kind == .run)
        #expect(run.containers == ["shop-migrate"])
        #expect(run.images == ["shop-migrate": "ghcr.io/acme/api:1.4.2"])
        let rm = try #require(DeploymentCommand.recognize("docker container rm -fv shop-old-1 shop-old-2"))
        #expect(rm.kind == .rm)
        #expect(rm.containers == ["shop-old-1", "shop-old-2"])
        #expect(DeploymentCommand.recognize("docker rm -f $(docker ps -aq)")?.containers == [])
        #expect(DeploymentCommand.recognize(arguments: ["/usr/bin/docker", "rm", "web"])?.containers == ["web"])
    }

    @Test func shellWords() {
        #expect(ShellWords.split(#"a 'b c' "d \"e\" $HOME" f\ g >out 2>&1; h && i"#, environment: ["HOME": "/root"]) == [
            .word("a"), .word("b c"), .word(#"d "e" /root"#), .word("f g"), .control(";"), .word("h"), .control("&&"), .word("i"),
        ])
    }
}
