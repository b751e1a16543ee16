import AlertRelay
import AlertRelayServer
import ArgumentParser
import Foundation

/// `alertrelay routes test severity=critical alertname=LiteLLMDown`: which receivers an alert with these labels
/// reaches and why, read from the config file, like `amtool config routes test`.
struct Routes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the routing tree.", subcommands: [Test.self, Show.self]
    )

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the receivers (and sinks) an alert with these labels reaches, and the routes that lead there.",
            discussion: "With --expect (repeated), exit status 1 unless the alert reaches exactly those receivers, like amtool's --verify.receivers."
        )

        @Option(name: .customLong("config.file"), help: "The configuration file.")
        var configFile = "config/alertrelay.yml"

        @Option(help: "Route as at this time (RFC 3339), for time intervals; default now.")
        var time: String?

        @Option(help: "A receiver the alert must reach (repeat for each); exit 1 unless it reaches exactly these.")
        var expect: [String] = []

        @Flag(help: "Print the answer as JSON.")
        var json = false

        @Argument(help: "Labels as name=value or name=\"value\" (quoted as in a matcher, with \\\" and \\\\ escapes).")
        var labels: [String] = []

        func validate() throws {
            if let time, Timestamp(rfc3339: time) == nil { throw ValidationError("--time is RFC 3339, such as 2026-11-30T09:30:00Z") }
            _ = try parseLabels(labels)
        }

        func run() throws {
            let config = try loadForInspection(configFile)
            let date = time.flatMap { Timestamp(rfc3339: $0)?.date } ?? Date()
            let explanation = RouteExplanation(routing: config.routing, receivers: config.receivers, labels: try parseLabels(labels), at: date)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(explanation), as: UTF8.self))
            } else {
                for destination in explanation.receivers {
                    let sinks = destination.sinks.isEmpty ? "no sinks" : destination.sinks.joined(separator: ", ")
                    print("\(destination.receiver)  (\(sinks))\(destination.muted.map { "  MUTED: \($0)" } ?? "")")
                    for trail in destination.routes { print("  via " + trail.joined(separator: " > ")) }
                }
            }
            let reached = explanation.receivers.filter { $0.muted == nil }.map(\.receiver)
            if !expect.isEmpty, Set(reached) != Set(expect) {
                print("FAILED: expected \(expect.sorted().joined(separator: ", ")), got \(reached.sorted().joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the routing tree.")

        @Option(name: .customLong("config.file"), help: "The configuration file.")
        var configFile = "config/alertrelay.yml"

        func run() throws {
            let config = try loadForInspection(configFile)
            func show(_ route: Route, depth: Int) {
                var line = String(repeating: "  ", count: depth) + route.summary + " -> " + route.receiver
                if !route.activeTimeIntervals.isEmpty { line += "  active: \(route.activeTimeIntervals.joined(separator: ", "))" }
                if !route.muteTimeIntervals.isEmpty { line += "  muted: \(route.muteTimeIntervals.joined(separator: ", "))" }
                print(line)
                for child in route.routes { show(child, depth: depth + 1) }
            }
            show(config.routing.root, depth: 0)
        }
    }
}

/// A config read to inspect routes or templates: a missing secret does not matter there (it would for
/// `serve` and `check-config`). An invalid config is printed, and the command exits 1.
func loadForInspection(_ file: String) throws -> RelayConfiguration {
    do {
        return try ConfigLoader.load(file: file, secrets: .optional)
    } catch {
        FileHandle.standardError.write(Data("alertrelay: \(file) is invalid:\n\(error)\n".utf8))
        throw ExitCode(1)
    }
}
