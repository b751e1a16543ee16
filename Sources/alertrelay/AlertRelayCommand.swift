import AlertRelay
import ArgumentParser
import Foundation

@main
struct AlertRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Authenticated, durable relay for Alertmanager and Grafana webhooks.",
        version: BuildInfo.versionText,
        subcommands: [Serve.self, CheckConfig.self, Routes.self, TestFireCommand.self, Deliveries.self, Templates.self, Sign.self, StoreCommand.self],
        defaultSubcommand: Serve.self
    )

    /// ArgumentParser's own `main`, except that an error a subcommand throws while running is reported with
    /// that subcommand's usage (`alertrelay routes test ...`), not the root's.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let error as ValidationError {
            let usage = usageString(for: type(of: command))
            let path = usage.split(separator: " ").prefix { !"[<-".contains($0.first ?? "[") }.joined(separator: " ")
            FileHandle.standardError.write(Data("Error: \(error.message)\nUsage: \(usage)\n  See '\(path) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
