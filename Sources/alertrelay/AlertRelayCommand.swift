import AlertRelay
import ArgumentParser

@main
struct AlertRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Authenticated, durable relay for Alertmanager and Grafana webhooks.",
        version: AlertRelayVersion.current,
        subcommands: [Serve.self, CheckConfig.self, Routes.self, TestFireCommand.self, Deliveries.self, Templates.self, Sign.self, StoreCommand.self],
        defaultSubcommand: Serve.self
    )
}
