@testable import Fleet
import Testing

/// Which day a partition holds, read from its name as fleet_create_event_partitions writes it.
@Suite struct FleetPrunerTests {
    @Test func partitionNamesGiveTheirUTCDay() {
        #expect(FleetPruner.day(ofPartition: "events_19700101") == 0)
        #expect(FleetPruner.day(ofPartition: "events_19691231") == -1)
        #expect(FleetPruner.day(ofPartition: "events_20000229") == 11_016)
        #expect(FleetPruner.day(ofPartition: "events_20261206") == 20_793)
        #expect(FleetPruner.day(ofPartition: "events_99991231") == 2_932_896, "a day, though past what nanoseconds hold: the pruner skips it")
    }

    @Test func otherTablesAreNeverTakenForADay() {
        for name in ["events", "events_2026120", "events_202612061", "events_2026x206", "events_20261306", "events_20261200", "snapshots_20261206"] {
            #expect(FleetPruner.day(ofPartition: name) == nil, "\(name)")
        }
    }
}
