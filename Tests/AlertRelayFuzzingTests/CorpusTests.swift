import Foundation
import Testing

import AlertRelayFuzzing

/// Replays the fuzzing corpus and every input that once crashed (Tests/Fuzz/regressions) through the same
/// parsers the fuzzer drives: a crash found once can never come back unnoticed.
@Suite struct CorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ folder: String) -> [String] {
        let directory = fuzz.appendingPathComponent(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fuzz.appendingPathComponent(folder).appendingPathComponent(name)))
    }

    @Test(arguments: inputs("corpus"))
    func everySeedIsTakenByItsParser(_ name: String) throws {
        let input = try Self.bytes("corpus", name)
        let selector = try #require(input.first)
        #expect(Harness.run(selector: selector, input: Array(input.dropFirst())), "a seed the parser refuses explores nothing")
    }

    @Test(arguments: inputs("regressions"))
    func everyPastCrashIsHandled(_ name: String) throws {
        let input = try Self.bytes("regressions", name)
        guard let selector = input.first else { return }
        Harness.run(selector: selector, input: Array(input.dropFirst()))
    }
}
