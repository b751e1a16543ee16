import ArgumentParser

@main
struct AlertRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Authenticated, durable relay for Alertmanager and Grafana webhooks.",
        version: "0.1.0",
        subcommands: [Serve.self, CheckConfig.self, Sign.self],
        defaultSubcommand: Serve.self
    )
}
