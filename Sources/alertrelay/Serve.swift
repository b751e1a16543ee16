import AlertRelay
import AlertRelayServer
import ArgumentParser
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the relay.")

    @Option(name: .customLong("config.file"), help: "Configuration file.")
    var configFile = "config/alertrelay.yml"

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on (host:port); overrides server.listen_address.")
    var listenAddress: String?

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error, as Prometheus spells them (also trace, notice, warning, critical).")
    var logLevel = LogLevel(.info)

    @Option(name: .customLong("log.format"), help: "text (for people), logfmt or json (for log pipelines).")
    var logFormat = "text"

    @Flag(name: .customLong("bench.discard-ingest"), help: .hidden)
    var discardIngest = false

    @Flag(name: .customLong("bench.no-delivery"), help: .hidden)
    var noDelivery = false

    @Flag(name: .customLong("bench.floor"), help: .hidden)
    var floor = false

    func validate() throws {
        guard StructuredLogHandler.Format(rawValue: logFormat) != nil else {
            throw ValidationError("--log.format is text, logfmt or json")
        }
        if let listenAddress, ListenAddress(parsing: listenAddress) == nil {
            throw ValidationError("--web.listen-address: expected host:port, got \"\(listenAddress)\"")
        }
    }

    func run() async throws {
        // The queue, outboxes and lock file hold alert contents: readable by this user only.
        umask(0o077)
        let level = logLevel.level
        let format = StructuredLogHandler.Format(rawValue: logFormat) ?? .text
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: format, level: level) }
        let logger = Logger(label: "alertrelay")

        var configuration: RelayConfiguration
        do {
            configuration = try ConfigLoader.load(file: configFile)
        } catch {
            FileHandle.standardError.write(Data("alertrelay: invalid configuration, not starting:\n\(error)\n".utf8))
            throw ExitCode(1)
        }
        if let address = listenAddress.flatMap(ListenAddress.init(parsing:)) {
            configuration.listenAddress = address
        }

        let dataDirectory: DataDirectory
        do {
            dataDirectory = try DataDirectory(url: configuration.dataDirectory)
        } catch {
            FileHandle.standardError.write(Data("alertrelay: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if let mode = dataDirectory.tightenedFrom {
            logger.warning(
                "The data directory was open to other users; made it private (0700)",
                metadata: ["path": "\(dataDirectory.url.path)", "mode.was": "\(String(mode, radix: 8))"]
            )
        }
        for warning in configuration.warnings {
            logger.warning("Config key has no effect here", metadata: ["path": "\(warning.path)", "reason": "\(warning.message)"])
        }
        for source in configuration.sources.values.sorted(by: { $0.name < $1.name }) {
            let schemes = source.verifiers.map(\.scheme)
            if schemes.contains("none") {
                logger.warning("Source accepts unauthenticated webhooks", metadata: ["source": "\(source.name)"])
            }
            logger.info("Source configured", metadata: ["source": "\(source.name)", "auth": "\(schemes.joined(separator: ","))", "url": "/webhook/\(source.name)"])
        }

        do {
            try await serve(configuration: configuration, logger: logger, discardingIngest: discardIngest, delivering: !noDelivery, floor: floor)
        } catch let error as ListenError {
            FileHandle.standardError.write(Data("alertrelay: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as StoreUnavailable {
            FileHandle.standardError.write(Data("alertrelay: \(error)\n".utf8))
            throw ExitCode(1)
        }
        withExtendedLifetime(dataDirectory) {}
    }
}

/// `--log.level`: Prometheus' spellings (`warn`) and swift-log's (`warning`, `notice`, `critical`, `trace`).
struct LogLevel: ExpressibleByArgument {
    let level: Logger.Level

    init(_ level: Logger.Level) { self.level = level }

    init?(argument: String) {
        switch argument.lowercased() {
        case "warn": level = .warning
        case let name: guard let level = Logger.Level(rawValue: name) else { return nil }; self.level = level
        }
    }

    var defaultValueDescription: String { level.rawValue }
    static var allValueStrings: [String] { ["debug", "info", "warn", "error", "trace", "notice", "warning", "critical"] }
}
