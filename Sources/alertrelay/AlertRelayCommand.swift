import AlertRelay
import ArgumentParser

@main
struct AlertRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Authenticated, durable relay for Alertmanager and Grafana webhooks.",
        version: AlertRelayVersion.current,
        subcommands: [Serve.self, CheckConfig.self, Sign.self, Deliveries.self, Templates.self],
        defaultSubcommand: Serve.self
    )
}
