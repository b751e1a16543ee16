import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct JSONLinesOutboxTests {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-outbox-\(UUID().uuidString)/outbox.jsonl").path
    }

    func lines() throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func concurrentAppendsEachLandOnTheirOwnLine() async throws {
        let outbox = try JSONLinesOutbox(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { try await outbox.append(Array(#"{"n":\#(index)}"#.utf8)) }
            }
            try await group.waitForAll()
        }
        let written = try lines()
        #expect(written.last == "", "the file ends with a newline")
        #expect(Set(written.dropLast()) == Set((0..<200).map { #"{"n":\#($0)}"# }))
    }

    @Test func createsPrivateFilesAndDirectories() throws {
        _ = try JSONLinesOutbox(path: path)
        let file = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let directory = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
        #expect(file == 0o600)
        #expect(directory == 0o700)
    }

    @Test func cutsALineACrashLeftHalfWritten() async throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("{\"n\":1}\n{\"n\":2}\n{\"n\":3, \"half".utf8).write(to: URL(fileURLWithPath: path))
        let outbox = try JSONLinesOutbox(path: path)
        try await outbox.append(Array(#"{"n":4}"#.utf8))
        #expect(try lines() == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":4}"#, ""])
    }

    @Test func aFullDiskFailsTheAppendAndIsReported() async throws {
        let outbox = try JSONLinesOutbox(path: "/dev/full")
        await #expect(throws: OutboxError.self) { try await outbox.append(Array("{}".utf8)) }
        let failure = await outbox.failure
        #expect(failure?.description.contains("No space left on device") == true)
    }
}

@Suite struct FileSinkTests {
    @Test func writesTheDeliveryAsOneRecord() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-filesink-\(UUID().uuidString)/out.jsonl").path
        let sink = FileSink(outbox: try JSONLinesOutbox(path: path))
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        let delivery = Delivery(
            jobID: 7, notificationID: "n-1", source: "am", acceptedAt: Date(timeIntervalSince1970: 1_795_980_600),
            receiver: "main", notification: notification, attempt: 1
        )
        #expect(await sink.deliver(delivery) == .delivered(status: nil, response: "appended to \(path)"))
        let line = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let record = try JSONDecoder().decode(OutboxRecord.self, from: Data(try #require(line.first).utf8))
        #expect(record == OutboxRecord(id: "n-1", receivedAt: delivery.acceptedAt, source: "am", receiver: "main", notification: notification))
    }

    @Test func aFullDiskIsATransientFailure() async throws {
        let sink = FileSink(outbox: try JSONLinesOutbox(path: "/dev/full"))
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        let outcome = await sink.deliver(Delivery(jobID: 1, notificationID: "n", source: "s", acceptedAt: Date(), receiver: "r", notification: notification, attempt: 1))
        guard case .transient(let reason, _, _, _) = outcome else {
            Issue.record("expected a transient failure, got \(outcome)")
            return
        }
        #expect(reason.contains("No space left on device"))
    }
}
