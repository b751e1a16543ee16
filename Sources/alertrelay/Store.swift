import AlertRelay
import AlertRelayServer
import ArgumentParser
import Foundation
import Logging

/// `alertrelay store copy`: from one machine to a cluster without losing the queue.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Work on the queue's store.", subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite queue (a data directory) into the PostgreSQL database the config names.",
            discussion: """
                Stop the relay that uses the data directory first (its lock is checked). Copied: jobs still to deliver, \
                dead letters and muted jobs with their attempts, and the dedup entries in their window; delivered jobs \
                stay behind. The PostgreSQL queue must be empty. Then start the replicas on the new config.
                """
        )

        @Option(name: .customLong("from"), help: "The data directory holding queue.db.")
        var from: String

        @Option(name: .customLong("config.file"), help: "The configuration with storage.type: postgres.")
        var configFile = "config/alertrelay.yml"

        func run() async throws {
            let configuration: RelayConfiguration
            do {
                configuration = try ConfigLoader.load(file: configFile)
            } catch {
                throw ValidationError("\(configFile): \(error)")
            }
            guard case .postgres(let location) = configuration.store else {
                throw ValidationError("\(configFile): storage.type is not postgres: there is nowhere to copy to")
            }
            let logger = Logger(label: "alertrelay")
            do {
                let summary = try await StoreCopy.copy(from: URL(fileURLWithPath: from), to: location, logger: logger)
                print("alertrelay: \(summary)")
            } catch {
                FileHandle.standardError.write(Data("alertrelay: store copy: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
