import AlertRelay
import ArgumentParser
import Foundation

/// `alertrelay test-fire --receiver oncall-email --wait 30s`, or `--label severity=critical ...` to go through
/// the routes: a synthetic alert through a running service's queue and real sinks, and what each sink said.
struct TestFireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-fire",
        abstract: "Send a test alert through a running AlertRelay and report what each sink answered.",
        discussion: "Exit status 1 if a sink failed (with --wait), so scripts and CI can prove a route end to end."
    )

    @OptionGroup var connection: AdminConnection

    @Option(help: "Send to every sink of this receiver.")
    var receiver: String?

    @Option(name: .customLong("label"), help: "Route a test alert with this label (name=value; repeat).")
    var labels: [String] = []

    @Option(name: .customLong("annotation"), help: "An annotation (name=value; repeat), e.g. summary=...")
    var annotations: [String] = []

    @Option(help: "firing or resolved.")
    var status = "firing"

    @Option(help: "Wait this long for each sink's first attempt (e.g. 30s; at most 5m); 0 to only queue it.")
    var wait = "30s"

    func validate() throws {
        guard (receiver != nil) != !labels.isEmpty else { throw ValidationError("give --receiver, or --label to route by (not both)") }
        guard ["firing", "resolved"].contains(status) else { throw ValidationError("--status is firing or resolved") }
        guard ConfigDuration(parsing: wait) != nil else { throw ValidationError("--wait is a duration such as 30s") }
        _ = try parseLabels(labels)
        _ = try parseLabels(annotations, what: "annotation")
    }

    func run() async throws {
        var request: [String: Any] = ["status": status, "annotations": try parseLabels(annotations, what: "annotation")]
        if let receiver { request["receiver"] = receiver } else { request["labels"] = try parseLabels(labels) }
        let waiting = ConfigDuration(parsing: wait)?.duration ?? .zero
        let path = "/api/v1/test-fire" + (waiting > .zero ? "?wait=\(wait)" : "")
        let body = try await connection.call(
            "POST", path, json: Array(try JSONSerialization.data(withJSONObject: request)), timeout: waiting + .seconds(15)
        )
        guard let answer = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw CLIError("unexpected answer") }
        print("notification \(answer["notification"] ?? "?"): \(answer["status"] ?? "?")")
        for delivery in answer["deliveries"] as? [[String: Any]] ?? [] {
            let sink = "\(delivery["receiver"] ?? "")/\(delivery["sink"] ?? "")"
            var line = "  \(sink): \(delivery["result"] ?? "")"
            if let status = delivery["status"] { line += " (\(status))" }
            if let error = delivery["error"] { line += ": \(error)" }
            if let response = delivery["response"] as? String, !response.isEmpty, delivery["result"] as? String != "delivered" {
                line += "\n    answered: \(response.prefix(300))"
            }
            print(line + "   [delivery \(delivery["id"] ?? "")]")
        }
        for muted in answer["muted"] as? [[String: Any]] ?? [] { print("  \(muted["receiver"] ?? ""): not sent, \(muted["reason"] ?? "")") }
        for skipped in answer["skipped"] as? [String] ?? [] { print("  \(skipped): skipped") }
        if answer["ok"] as? Bool == false { throw ExitCode(1) }
    }
}
