import Foundation
import Testing

import AlertRelayFuzzing

/// Replays the fuzzing corpus and every input that once crashed (Tests/Fuzz/regressions) through the same
/// parsers the fuzzer drives: a crash found once can never come back unnoticed.
@Suite struct CorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    struct MissingFolder: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing or empty: the tests would replay nothing" }
    }

    /// The files of a folder; a folder that is missing or empty is an error, never zero cases.
    static func inputs(_ folder: String) throws -> [String] {
        let directory = fuzz.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !names.isEmpty else { throw MissingFolder(path: directory.path) }
        return names
    }

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fuzz.appendingPathComponent(folder).appendingPathComponent(name)))
    }

    /// What the parser made of each past crash when it was fixed (Tests/Fuzz/regressions.tsv: name, then
    /// `taken` or `refused`). A crash ends the test process; a changed verdict is a changed parser.
    static func verdicts() throws -> [String: Bool] {
        let text = try String(contentsOf: fuzz.appendingPathComponent("regressions.tsv"), encoding: .utf8)
        var verdicts: [String: Bool] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else { continue }
            verdicts[String(fields[0])] = fields[1] == "taken"
        }
        return verdicts
    }

    @Test(arguments: try inputs("corpus"))
    func everySeedIsTakenByItsParser(_ name: String) throws {
        let input = try Self.bytes("corpus", name)
        let selector = try #require(input.first)
        #expect(Harness.run(selector: selector, input: Array(input.dropFirst())), "a seed the parser refuses explores nothing")
    }

    @Test(arguments: try inputs("regressions"))
    func everyPastCrashIsHandledAsWhenItWasFixed(_ name: String) throws {
        let input = try Self.bytes("regressions", name)
        let selector = try #require(input.first, "an empty regression input reaches no parser")
        let verdicts = try Self.verdicts()
        let expected: Bool = try #require(verdicts[name] as Bool?, "\(name) has no verdict in Tests/Fuzz/regressions.tsv")
        #expect(Harness.run(selector: selector, input: Array(input.dropFirst())) == expected)
    }

    @Test func everyParserHasSeeds() throws {
        let selectors = Set(try Self.inputs("corpus").compactMap { try Self.bytes("corpus", $0).first.map { Int($0) % 7 } })
        #expect(selectors == Set(0..<7), "a parser without a seed is fuzzed from nothing")
    }
}
