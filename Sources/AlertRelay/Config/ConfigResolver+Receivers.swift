import Foundation

extension ConfigResolver {
    /// Every receiver with its sinks, one per entry of each `*_configs` list, each resolved beside its sink's
    /// config (Sinks/<kind>/<Kind>Config.swift).
    mutating func resolve(receivers configs: [ReceiverConfig], retry: RetryConfig, dataDirectory: URL) -> [String: Receiver] {
        var receivers: [String: Receiver] = [:]
        for (index, receiver) in configs.enumerated() {
            let path = "receivers[\(index)]"
            if receiver.name.isEmpty { report("\(path).name", "must not be empty") }
            if receivers[receiver.name] != nil { report("\(path).name", "duplicate receiver name \"\(receiver.name)\"") }
            var sinks: [ReceiverSink] = []
            /// Each entry of one `*_configs` list, resolved by `make` (nil when it reported a problem).
            func add<Config>(_ configs: [Config], _ list: String, _ make: (Config, String) -> (ReceiverSink.Kind, SinkOptions)?) {
                for (index, config) in configs.enumerated() {
                    let key = "\(list)[\(index)]"
                    if let (kind, options) = make(config, "\(path).\(key)") {
                        let address = SinkAddress(receiver: receiver.name, sink: key)
                        sinks.append(ReceiverSink(address: address, sendResolved: options.sendResolved, kind: kind, limits: options.limits))
                    }
                }
            }
            add(receiver.fileConfigs, "file_configs") { sink, at in resolve(file: sink, at: at, dataDirectory: dataDirectory).map { (.file(path: $0), sink.options) } }
            add(receiver.webhookConfigs, "webhook_configs") { webhook, at in resolve(webhook: webhook, at: at).map { (.webhook($0), webhook.options) } }
            add(receiver.slackConfigs, "slack_configs") { slack, at in resolve(slack: slack, at: at).map { (.slack($0), slack.options) } }
            add(receiver.emailConfigs, "email_configs") { email, at in resolve(email: email, at: at).map { (.email($0), email.options) } }
            add(receiver.pagerdutyConfigs, "pagerduty_configs") { config, at in resolve(pagerduty: config, at: at).map { (.api($0), config.options) } }
            add(receiver.opsgenieConfigs, "opsgenie_configs") { config, at in resolve(opsgenie: config, at: at).map { (.api($0), config.options) } }
            add(receiver.msteamsConfigs, "msteams_configs") { config, at in resolve(msteams: config, at: at).map { (.api($0), config.options) } }
            add(receiver.discordConfigs, "discord_configs") { config, at in resolve(discord: config, at: at).map { (.api($0), config.options) } }
            add(receiver.telegramConfigs, "telegram_configs") { config, at in resolve(telegram: config, at: at).map { (.api($0), config.options) } }
            let policy = receiver.retry.map { retry.overridden(by: $0) } ?? retry
            receivers[receiver.name] = Receiver(name: receiver.name, sinks: sinks, retry: policy.policy)
        }
        return receivers
    }
}
