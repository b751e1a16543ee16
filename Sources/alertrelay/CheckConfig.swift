import AlertRelay
import AlertRelayServer
import ArgumentParser
import Foundation

/// `alertrelay check-config FILE...`, in the manner of `amtool check-config` and `promtool check config`.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate configuration files without starting; exit status 1 if any is invalid."
    )

    @Argument(help: "Configuration files to check.")
    var files: [String] = ["config/alertrelay.yml"]

    @Flag(
        name: .customLong("syntax-only"),
        help: "Check the file alone, like promtool's --syntax-only: secrets ($VAR, *_FILE, file:) and the listener's certificate files need not exist here."
    )
    var syntaxOnly = false

    func run() throws {
        var failed = false
        for file in files {
            print("Checking '\(file)'")
            do {
                let config = try ConfigLoader.load(file: file, secrets: syntaxOnly ? .optional : .required)
                // The listener's certificate and key are read as the service reads them: a bad PEM file or a key
                // that is not the certificate's fails here, not at the first connection.
                if !syntaxOnly, let files = config.listenerTLS { _ = try ListenerTLS.context(files) }
                print("  SUCCESS")
                for warning in config.warnings { print("  WARNING: \(warning)") }
                for source in config.sources.values.sorted(by: { $0.name < $1.name }) {
                    print("  source \(source.name): POST /webhook/\(source.name), auth \(source.verifiers.map(\.scheme).joined(separator: " or "))")
                }
                let nodes = config.routing.root.allNodes
                let reached = Set(nodes.map(\.receiver))
                print("  route: \(nodes.count) node(s), \(config.routing.timeIntervals.count) time interval(s); default receiver \(config.routing.root.receiver)")
                for name in config.receivers.keys.sorted() {
                    let sinks = config.receivers[name]?.sinks.map(\.address.sink) ?? []
                    let note = reached.contains(name) ? "" : " (no route leads here: only test-fire reaches it)"
                    print("  receiver \(name): \(sinks.isEmpty ? "no sinks" : sinks.joined(separator: ", "))\(note)")
                }
                for (name, path) in config.templates.files.sorted(by: { $0.key < $1.key }) {
                    print("  template \(name): \(path)\(DefaultTemplates.names.contains(name) ? " (replaces the default)" : "")")
                }
            } catch {
                failed = true
                print("  FAILED:")
                for issue in error.issues { print("    \(issue)") }
            }
            print("")
        }
        if failed { throw ExitCode(1) }
    }
}
