import Testing
@testable import Deployments

/// What a deployment's command line can do: compose and stack commands never exec or update; exec
/// and update lines do; read-only commands do nothing; an unknown script may do anything.
@Suite struct CommandEffectsTests {
    typealias E = CommandEffects.Effect

    func effects(_ line: String) -> Set<E>? {
        let e = CommandEffects.of(line)
        return e.isOpaque ? nil : e.effects
    }

    @Test func deploymentCommandsChangeContainersAndImagesOnly() {
        for line in ["docker-compose -p shop up -d", "docker compose -f a.yml -p shop down --remove-orphans", "sudo docker compose restart api",
                     "COMPOSE_PROJECT_NAME=shop docker-compose rm -f", "docker stack deploy -c stack.yml shop",
                     "docker service update --image x:2 shop_api", "docker --context prod compose up -d"] {
            #expect(effects(line) == [.containers, .images], "\(line)")
        }
        #expect(effects("docker compose pull") == [.images])
    }

    @Test func execUpdateCopyAndCommitLines() {
        #expect(effects("docker exec shop_api_1 rake db:migrate") == [.exec])
        #expect(effects("docker compose exec api rake db:migrate") == [.exec])
        #expect(effects("docker container update --memory 2g shop_api_1") == [.update])
        #expect(effects("docker cp fix.conf shop_api_1:/etc/") == [.copy])
        #expect(effects("docker compose up -d && docker exec shop_api_1 migrate") == [.containers, .images, .exec])
    }

    @Test func readOnlyCommandsDoNothing() {
        for line in ["docker compose ps", "docker-compose -p shop logs --tail 20", "docker compose config", "docker ps -a", "docker inspect x",
                     "echo deployed", "sleep 8", "curl -fsS http://localhost:8080/healthz"] {
            #expect(effects(line) == [], "\(line)")
        }
    }

    @Test func shellBodiesAreReadAndScriptsAreOpaque() {
        #expect(effects("sh -c 'docker-compose -p a up -d --force-recreate && sleep 8'") == [.containers, .images])
        #expect(CommandEffects.of(arguments: ["bash", "-ec", "docker compose up -d"]).effects == [.containers, .images])
        #expect(CommandEffects.of("./deploy.sh production").opaque == ["./deploy.sh production"])
        #expect(effects("make deploy") == nil)
        #expect(effects("sh deploy.sh") == nil)
        #expect(effects("docker system prune -f") == [.containers, .images])
        #expect(effects("docker frobnicate") == nil)
    }
}
