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
