import Foundation
import Testing

@testable import AlertRelay

@Suite struct ReplayGuardTests {
    let start = Date(timeIntervalSince1970: 1_795_980_600)

    @Test func aKeyIsFreshOnceThenADuplicateOfTheAcceptedId() async {
        let guardian = ReplayGuard()
        #expect(await guardian.reserve("k", window: .seconds(600), now: start) == .fresh)
        #expect(await guardian.reserve("k", window: .seconds(600), now: start) == .inFlight)
        await guardian.commit("k", id: "first")
        #expect(await guardian.reserve("k", window: .seconds(600), now: start.addingTimeInterval(599)) == .duplicate(of: "first"))
        #expect(await guardian.reserve("other", window: .seconds(600), now: start) == .fresh)
    }

    @Test func aReleasedKeyCanBeAcceptedAgain() async {
        let guardian = ReplayGuard()
        #expect(await guardian.reserve("k", window: .seconds(600), now: start) == .fresh)
        await guardian.release("k")
        #expect(await guardian.reserve("k", window: .seconds(600), now: start) == .fresh)
    }

    @Test func keysAreForgottenAfterTheirWindow() async {
        let guardian = ReplayGuard()
        _ = await guardian.reserve("k", window: .seconds(600), now: start)
        await guardian.commit("k", id: "first")
        #expect(await guardian.reserve("k", window: .seconds(600), now: start.addingTimeInterval(600)) == .fresh)
        _ = await guardian.reserve("later", window: .seconds(10), now: start.addingTimeInterval(2000))
        #expect(await guardian.count == 1, "expired keys are pruned")
    }

    @Test func capacityBoundsMemory() async {
        let guardian = ReplayGuard(capacity: 100)
        for index in 0..<1000 {
            _ = await guardian.reserve("k\(index)", window: .seconds(600), now: start)
        }
        #expect(await guardian.count <= 101)
        #expect(await guardian.reserve("k999", window: .seconds(600), now: start) == .inFlight, "the newest are kept")
    }
}
