import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct ConfigLoaderTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let minimal = """
        sources:
          alertmanager:
            auth:
              - type: bearer
                credentials: [token]
        route:
          receiver: outbox
        receivers:
          - name: outbox
            file_configs:
              - path: outbox.jsonl
        """

    func parse(_ yaml: String, environment: [String: String] = [:]) throws(ConfigError) -> RelayConfiguration {
        try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: environment)
    }

    func issues(_ yaml: String, environment: [String: String] = [:]) -> [ConfigIssue] {
        do {
            _ = try parse(yaml, environment: environment)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func theShippedDefaultConfigIsValid() throws {
        let config = try ConfigLoader.load(file: Self.repository.appendingPathComponent("config/alertrelay.yml").path, environment: [:])
        #expect(Set(config.sources.keys) == ["alertmanager", "grafana", "signed"])
        #expect(config.listenAddress == ListenAddress(parsing: "127.0.0.1:9099"))
        #expect(config.dataDirectory.path == Self.repository.appendingPathComponent("data").path)
        guard case .file(let path) = config.receivers["outbox"]?.sinks.first?.kind else {
            Issue.record("the default receiver writes a file")
            return
        }
        #expect(path == Self.repository.appendingPathComponent("data/outbox.jsonl").path)
        #expect(config.sources["grafana"]?.verifiers.first?.scheme == "grafana")
    }

    @Test func listenerSettingsAreCheckedWithTheirKeyPaths() throws {
        #expect(issues("server: {max_connections: 0}\n" + Self.minimal).map(\.path) == ["server.max_connections"])
        let missing = issues("server: {tls: {cert_file: nope.pem, key_file: nope.key}}\n" + Self.minimal)
        #expect(missing.map(\.path) == ["server.tls.cert_file", "server.tls.key_file"])
        #expect(missing.first?.message.hasPrefix("no such file") == true)
        // A source that asks for client certificates needs a CA to verify them against.
        let yaml = Self.minimal.replacingOccurrences(of: "    auth:\n", with: "    client_certificate: {common_names: [am]}\n    auth:\n")
        #expect(issues(yaml).map(\.path) == ["sources.alertmanager.client_certificate"])
        #expect(issues(Self.minimal.replacingOccurrences(of: "    auth:\n", with: "    client_certificate: {common_names: [\"\"]}\n    auth:\n"))
            .map(\.path) == ["sources.alertmanager.client_certificate.common_names"])
    }

    @Test func aRateLimitMeantAsUnlimitedIsRefusedNotTrustedToArithmetic() {
        let webhook = Self.withSink("webhook_configs: [{url: 'http://sink.example/hook', rate_limit: 1e9}]")
        #expect(issues(webhook).map(\.path).contains { $0.hasSuffix("rate_limit") }, "\(issues(webhook))")
        let source = Self.minimal.replacingOccurrences(of: "    auth:\n", with: "    rate_limit: .inf\n    auth:\n")
        #expect(issues(source).map(\.path).contains { $0.hasSuffix("rate_limit") }, "\(issues(source))")
    }

    @Test func aWorldWritableTLSKeyIsRefused() throws {
        for name in ["server.pem", "server.key"] {
            try Data("x".utf8).write(to: directory.appendingPathComponent(name))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: directory.appendingPathComponent("server.key").path)
        let found = issues("server: {tls: {cert_file: server.pem, key_file: server.key}}\n" + Self.minimal)
        #expect(found.map(\.path) == ["server.tls.key_file"])
        #expect(found.first?.message.contains("chmod o-w") == true)
    }

    @Test func appliesDefaults() throws {
        let config = try parse(Self.minimal)
        #expect(config.sources["alertmanager"]?.maxBodySize == 1 << 20)
        #expect(config.settings.dedup.window.duration == .seconds(300))
        #expect(config.settings.retry.maxAge.duration == .seconds(86_400))
        #expect(config.receivers["outbox"]?.retry == RetryPolicy())
        #expect(config.dataDirectory == directory.appendingPathComponent("data").standardizedFileURL)
    }

    @Test func readsSecretsFromFilesAndEnvironment() throws {
        try "from-file\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let yaml = Self.minimal.replacingOccurrences(
            of: "credentials: [token]", with: "credentials: [{file: token}, {env: AM_TOKEN}, {env: MOUNTED}]\n        credentials_file: token"
        )
        let config = try parse(yaml, environment: ["AM_TOKEN": "from-env", "MOUNTED_FILE": directory.appendingPathComponent("token").path])
        let bearer = try #require(config.sources["alertmanager"]?.verifiers.first as? BearerToken)
        #expect(bearer.tokens == [Secret("from-file"), Secret("from-env"), Secret("from-file"), Secret("from-file")], "$MOUNTED_FILE stands in for $MOUNTED")
    }

    static let badConfigs: [(yaml: String, path: String, message: String)] = [
        (minimal + "\nrecievers: []", "recievers", "unknown key"),
        (minimal.replacingOccurrences(of: "- path: outbox.jsonl", with: "- path: outbox.jsonl\n        send_resloved: true"), "receivers[0].file_configs[0].send_resloved", "unknown key"),
        (minimal.replacingOccurrences(of: "credentials: [token]", with: "credentials: [token]\n        header: X"), "sources.alertmanager.auth[0].header", "unknown key"),
        (minimal + "\ndedup:\n  window: 5 minutes", "dedup.window", "invalid duration \"5 minutes\""),
        (minimal + "\nretry:\n  max_age: 1h30", "retry.max_age", "invalid duration"),
        (minimal + "\nretry:\n  multiplier: fast", "retry.multiplier", "expected a number"),
        (minimal + "\nserver:\n  max_body_size: 1 TB", "server.max_body_size", "invalid size"),
        (minimal + "\nserver:\n  listen_address: localhost", "server.listen_address", "expected host:port"),
        (minimal.replacingOccurrences(of: "receiver: outbox", with: "receiver: pager"), "route.receiver", "unknown receiver \"pager\" (defined: outbox)"),
        (minimal.replacingOccurrences(of: "credentials: [token]", with: "credentials: [{file: /nonexistent/token}]"), "sources.alertmanager.auth[0].credentials[0]", "cannot read secrets file /nonexistent/token"),
        (minimal.replacingOccurrences(of: "credentials: [token]", with: "credentials: [{env: NOT_SET}]"), "sources.alertmanager.auth[0].credentials[0]", "environment variable NOT_SET is not set"),
        (minimal.replacingOccurrences(of: "type: bearer\n        credentials: [token]", with: "type: standard-webhooks\n        secrets: [\"whsec_%%%\"]"), "sources.alertmanager.auth[0].secrets[0]", "not a Standard Webhooks secret"),
        (minimal.replacingOccurrences(of: "type: bearer", with: "type: oauth"), "sources.alertmanager.auth[0].type", "unknown authentication type \"oauth\""),
        (minimal.replacingOccurrences(of: "type: bearer\n        credentials: [token]", with: "type: grafana"), "sources.alertmanager.auth[0].secrets", "at least one secret is required"),
        (minimal.replacingOccurrences(of: "auth:\n      - type: bearer\n        credentials: [token]", with: "auth: []"), "sources.alertmanager.auth", "write `- type: none`"),
        (minimal.replacingOccurrences(of: "alertmanager:", with: "\"alert manager\":"), "sources.alert manager", "a source name may hold only"),
        (minimal.replacingOccurrences(of: "type: bearer\n        credentials: [token]", with: "type: grafana\n        secrets: [s]\n        tolerance: 0"), "sources.alertmanager.auth[0].tolerance", "must be more than 0"),
        ("sources: {}\nroute: {receiver: x}", "receivers", "required key is missing"),
        ("", "(file)", "the config is empty"),
        ("sources: [1, 2", "(yaml)", "did not find expected"),
        (minimal + "\nreceivers: []", "(yaml)", "duplicate"),
        (withSink("email_configs: [{to: a@example.org, from: r@example.org, smarthost: 'mx:25', html: '<p>{{#alerts}}</p>'}]"), "receivers[0].email_configs[0].html", "template: line 1, column 19: a section is never closed"),
        (withSink("email_configs: [{to: a@example.org, from: r@example.org, smarthost: 'mx:25', headers: {Subject: '{{> subjekt}}'}}]"), "receivers[0].email_configs[0].headers.Subject", "{{> subjekt}} names no template"),
        (withSink("slack_configs: [{api_url: 'https://hooks.slack.com/x', alert_text: '{{#labels}}'}]"), "receivers[0].slack_configs[0].alert_text", "never closed"),
        (withSink("webhook_configs: [{url: 'http://127.0.0.1:9/', body: '{\"summary\": {{commonAnnotations.summary}}}'}]"), "receivers[0].webhook_configs[0].body", "does not render valid JSON for a sample alert"),
        (withSink("webhook_configs: [{url: 'http://127.0.0.1:9/', content_type: text/plain}]"), "receivers[0].webhook_configs[0].content_type", "only applies with a body template"),
        (minimal + "\ntemplates: [templates/oncall.mustache]", "templates[0]", "no such file"),
        (withRoutes("- {matchers: [severity=critical], receiver: pager}"), "route.routes[0].receiver", "unknown receiver \"pager\" (defined: outbox)"),
        (withRoutes("- {matchers: [severity=critical]}\n    - {matchers: ['alertname=~\"(Disk\"']}"), "route.routes[1].matchers[0]", "invalid regular expression \"(Disk\""),
        (withRoutes("- {match_re: {alertname: '['}}"), "route.routes[0].match_re.alertname", "invalid regular expression"),
        (withRoutes("- {match_re: {team: ~}, receiver: outbox}"), "route.routes[0].match_re", "invalid regexp value for \"team\": null"),
        (withRoutes("- {matchers: ['team=~\"(?=db)\"']}"), "route.routes[0].matchers[0]", "invalid regular expression \"(?=db)\""),
        (withRoutes("- {matchers: [severity=critical], mute_time_intervals: [weekends]}"), "route.routes[0].mute_time_intervals[0]", "unknown time interval \"weekends\" (no time intervals are defined)"),
        (withRoutes("- {routes: [{active_time_intervals: [office]}]}"), "route.routes[0].routes[0].active_time_intervals[0]", "unknown time interval \"office\""),
        (minimal.replacingOccurrences(of: "receiver: outbox\nreceivers", with: "receiver: outbox\n  mute_time_intervals: [office]\nreceivers")
            + "\ntime_intervals: [{name: office, time_intervals: [{weekdays: ['monday:friday']}]}]",
         "route.mute_time_intervals", "the root route cannot have time intervals"),
        (withSink("email_configs: [{to: a@example.org, from: r@example.org, smarthost: 'mx:25', headers: {Subject: '[{{ .Status }}] {{ .CommonLabels.alertname }}'}}]"),
         "receivers[0].email_configs[0].headers.Subject", "template: line 1: {{ .Status }} is Go template syntax (Alertmanager's); AlertRelay's templates are Mustache: write {{status}}"),
        (withSink("slack_configs: [{api_url: 'https://hooks.slack.com/x', text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}'}]"),
         "receivers[0].slack_configs[0].text", "write {{#alerts}}...{{/alerts}} to repeat for each alert"),
        (minimal.replacingOccurrences(of: "receiver: outbox", with: "receiver: outbox\n  matchers: [a=b]"), "route", "the root route matches every alert"),
        (minimal.replacingOccurrences(of: "  receiver: outbox", with: "  routes: []"), "route.receiver", "the root route needs a receiver"),
        (minimal + "\ntime_intervals: [{name: office, time_intervals: [{weekdays: ['mon:fri']}]}]", "time_intervals[0].time_intervals[0].weekdays[0]", "cannot read \"mon:fri\""),
        (minimal + "\ntime_intervals: [{name: office, time_intervals: [{location: Berlin}]}]", "time_intervals[0].time_intervals[0].location", "unknown time zone \"Berlin\""),
    ]

    /// The minimal config with child routes under the root, given as YAML list entries.
    static func withRoutes(_ entries: String) -> String {
        minimal.replacingOccurrences(of: "  receiver: outbox", with: "  receiver: outbox\n  routes:\n    " + entries)
    }

    /// The minimal config with one more sink in its receiver, given as a one-line YAML mapping entry.
    static func withSink(_ entry: String) -> String {
        minimal.replacingOccurrences(of: "      - path: outbox.jsonl", with: "      - path: outbox.jsonl\n    " + entry)
    }

    @Test(arguments: badConfigs)
    func reportsThePathOfTheOffendingKey(_ example: (yaml: String, path: String, message: String)) {
        let found = issues(example.yaml)
        #expect(found.contains { $0.path == example.path && $0.message.contains(example.message) }, "got \(found)")
    }

    @Test func aReceiverOverridesTheGlobalRetryKeyByKey() throws {
        let yaml = Self.minimal.replacingOccurrences(of: "  - name: outbox\n", with: "  - name: outbox\n    retry: {max_attempts: 3}\n")
            + "\nretry: {initial_interval: 2s, max_age: 1h}"
        let policy = try #require(try parse(yaml).receivers["outbox"]?.retry)
        #expect(policy == RetryPolicy(initialInterval: .seconds(2), maxAge: .seconds(3600), maxAttempts: 3))
    }

    @Test func readsSlackAndWebhookSinksWithAlertmanagersDefaults() throws {
        try "https://hooks.slack.com/services/T0/B0/secret-token\n".write(to: directory.appendingPathComponent("slack-url"), atomically: true, encoding: .utf8)
        let yaml = Self.minimal.replacingOccurrences(
            of: "      - path: outbox.jsonl",
            with: "      - path: outbox.jsonl\n    slack_configs:\n      - {api_url_file: slack-url, channel: '#oncall'}\n    webhook_configs:\n      - url: http://127.0.0.1:9000/hook\n        http_config: {basic_auth: {username: u, password: p}}"
        )
        let sinks = try #require(try parse(yaml).receivers["outbox"]?.sinks)
        #expect(sinks.map(\.address.sink) == ["file_configs[0]", "webhook_configs[0]", "slack_configs[0]"])
        let slack = try #require(sinks.last)
        #expect(!slack.sendResolved, "Alertmanager's default for Slack")
        #expect(slack.limits.ratePerSecond == 1)
        #expect(slack.limits.concurrency == 1)
        guard case .slack(let settings) = slack.kind, case .webhook(let webhook) = sinks[1].kind else {
            Issue.record("expected a Slack and a webhook sink")
            return
        }
        #expect(settings.url == "https://hooks.slack.com/services/T0/B0/secret-token")
        #expect(settings.options.channel == "#oncall")
        #expect(webhook.headers.first?.value == "Basic dTpw")
        #expect(sinks[1].sendResolved)
    }

    @Test func templatesComeFromTheFilesTheConfigNames() throws {
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "{{name}} is on fire".write(to: templates.appendingPathComponent("email.subject.mustache"), atomically: true, encoding: .utf8)
        try "{\"hosts\": [{{#alerts}}\"{{labels.instance}}\"{{^last()}}, {{/last()}}{{/alerts}}]}"
            .write(to: templates.appendingPathComponent("hosts.mustache"), atomically: true, encoding: .utf8)
        let yaml = Self.withSink("webhook_configs: [{url: 'http://127.0.0.1:9/', body: '{{> hosts}}'}]") + "\ntemplates: ['templates/*.mustache']"
        let sinks = try #require(try parse(yaml).receivers["outbox"]?.sinks)
        guard case .webhook(let webhook) = sinks[1].kind, let body = webhook.body else {
            Issue.record("expected a webhook sink with a body template")
            return
        }
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        #expect(body.render(TemplateContext(notification: notification, receiver: "outbox")) == "{\"hosts\": [\"db1:9100\", \"db2:9100\"]}")
        #expect(body.format == .json)
    }

    @Test func aBrokenTemplateFileIsReportedOnceAndIncludesOfOtherFilesStillCheck() throws {
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "{{#alerts}}".write(to: templates.appendingPathComponent("broken.mustache"), atomically: true, encoding: .utf8)
        try "{{name}}".write(to: templates.appendingPathComponent("fine.mustache"), atomically: true, encoding: .utf8)
        let sinks = "slack_configs: [{api_url: 'https://hooks.slack.com/x', text: '{{> fine}} {{> broken}}', title: '{{> fien}}'}]"
        let found = issues(Self.withSink(sinks) + "\ntemplates: ['templates/*.mustache']")
        #expect(found.map(\.path) == ["templates", "receivers[0].slack_configs[0].title"])
        #expect(found.first?.message.contains("broken.mustache: line 1") == true)
    }

    @Test func refusesAConfigOrSecretsFileAnyUserCanWrite() throws {
        let secret = directory.appendingPathComponent("token")
        try "s3cret".write(to: secret, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: secret.path)
        let found = issues(Self.minimal.replacingOccurrences(of: "credentials: [token]", with: "credentials: [{file: token}]"))
        #expect(found.map(\.path) == ["sources.alertmanager.auth[0].credentials[0]"])
        #expect(found.first?.message.contains("writable by every user") == true)

        let config = directory.appendingPathComponent("alertrelay.yml")
        try Self.minimal.write(to: config, atomically: true, encoding: .utf8)
        #expect(throws: Never.self) { try ConfigLoader.load(file: config.path, environment: [:]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o646], ofItemAtPath: config.path)
        do {
            _ = try ConfigLoader.load(file: config.path, environment: [:])
            Issue.record("a world-writable config was loaded")
        } catch {
            #expect(error.issues.first?.message.contains("chmod o-w") == true)
        }
    }

    @Test func aSecretStillHoldingMakeSecretsPlaceholderIsRefused() throws {
        let secret = directory.appendingPathComponent("smtp-password")
        try "REPLACE-with-the-SMTP-password\n".write(to: secret, atomically: true, encoding: .utf8)
        let yaml = Self.minimal.replacingOccurrences(of: "credentials: [token]", with: "credentials: [{env: TOKEN}]")
        let found = issues(yaml, environment: ["TOKEN_FILE": secret.path])
        #expect(found.map(\.path) == ["sources.alertmanager.auth[0].credentials[0]"])
        #expect(found.first?.message == "the file \(secret.path) still holds a placeholder (REPLACE...): put the real value there, or remove this sink")
        #expect(!(found.first?.message.contains("with-the-SMTP") ?? true), "the secret itself is never shown")
        #expect(issues(yaml, environment: ["TOKEN": "https://hooks.slack.com/services/REPLACE/WITH/YOURS"]).first?.message.hasPrefix("$TOKEN still holds a placeholder") == true)
    }

    @Test func alertmanagersGroupingKeysAreAcceptedWithOneWarningPerFile() throws {
        let yaml = Self.minimal.replacingOccurrences(of: "route:\n  receiver: outbox", with: """
            route:
              receiver: outbox
              group_by: [alertname, cluster]
              group_wait: 30s
              group_interval: 5m
              repeat_interval: 4h
              routes:
                - {matchers: [severity=critical], group_by: ['...'], repeat_interval: 1h}
            """)
        let config = try parse(yaml)
        #expect(config.warnings.map(\.path) == ["route.group_by"])
        #expect(config.warnings.first?.message.hasPrefix("group_by, group_wait, group_interval and repeat_interval are ignored") == true)
        #expect(config.routing.root.routes.count == 1)
    }

    @Test func aNullMatchValueIsTheEmptyValueAsInAlertmanager() throws {
        let config = try parse(Self.withRoutes("- {match: {team: ~}, receiver: outbox}"))
        let route = try #require(config.routing.root.routes.first)
        #expect(route.matchers.map(\.description) == [#"team="""#])
    }

    @Test func alertmanagersGlobalSectionSuppliesReceiversDefaults() throws {
        let yaml = """
            global:
              resolve_timeout: 5m
              smtp_smarthost: smtp.example.org:587
              smtp_from: alertmanager@example.org
              smtp_auth_username: alertmanager
              smtp_auth_password: s3cret
              smtp_require_tls: false
              slack_api_url: https://hooks.slack.com/services/T/B/global
              pagerduty_url: https://events.pagerduty.com/v2/enqueue
              http_config:
                authorization: {credentials: webhook-token}
            sources:
              am: {auth: [{type: none}]}
            route: {receiver: team}
            receivers:
              - name: team
                email_configs: [{to: team@example.org}, {to: dba@example.org, from: dba-alerts@example.org, require_tls: true}]
                slack_configs: [{channel: '#team'}]
                webhook_configs: [{url: 'https://incidents.example.org/hook'}]
            """
        let config = try parse(yaml)
        let sinks = try #require(config.receivers["team"]?.sinks)
        guard case .webhook(let webhook) = sinks[0].kind, case .slack(let slack) = sinks[1].kind, case .email(let first) = sinks[2].kind,
            case .email(let second) = sinks[3].kind
        else {
            Issue.record("expected two email sinks, a Slack and a webhook sink: \(sinks.map(\.address.sink))")
            return
        }
        #expect(first.server == "smtp://smtp.example.org:587" && first.message.from == "alertmanager@example.org")
        #expect(first.username == "alertmanager" && first.password == Secret("s3cret") && !first.requireTLS)
        #expect(second.message.from == "dba-alerts@example.org" && second.requireTLS, "a sink's own key wins over global")
        #expect(slack.url == "https://hooks.slack.com/services/T/B/global")
        #expect(webhook.headers.contains { $0.name == "Authorization" && $0.value == "Bearer webhook-token" })
        #expect(config.warnings.map(\.path) == ["global.resolve_timeout"])
        #expect(config.warnings.first?.message.hasPrefix("resolve_timeout ignored") == true)

        let missing = issues("""
            sources:
              am: {auth: [{type: none}]}
            route: {receiver: team}
            receivers:
              - {name: team, email_configs: [{to: team@example.org}], slack_configs: [{channel: '#team'}]}
            """)
        #expect(missing.map(\.description) == [
            "receivers[0].slack_configs[0].api_url: required here or as global.slack_api_url",
            "receivers[0].email_configs[0].smarthost: required here or as global.smtp_smarthost",
        ])
    }

    @Test func routesCanBeInspectedWithoutTheSecrets() throws {
        let yaml = Self.withSink("slack_configs: [{api_url: {env: SLACK_URL}}]\n    webhook_configs: [{url: 'http://127.0.0.1:9/', signing: {type: standard-webhooks, secret: {env: SIGNING}}}]")
        #expect(issues(yaml).map(\.path) == [
            "receivers[0].webhook_configs[0].signing.secret", "receivers[0].slack_configs[0].api_url",
        ], "to run, every secret must be there")
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:], secrets: .optional)
        #expect(config.receivers["outbox"]?.sinks.count == 3, "to inspect, a missing one is a placeholder")
    }

    @Test func anInvalidSinkURLIsReportedWithoutShowingIt() {
        let yaml = Self.minimal.replacingOccurrences(
            of: "      - path: outbox.jsonl", with: "      - path: outbox.jsonl\n    slack_configs:\n      - api_url: hooks.slack.com/services/xoxb-secret"
        )
        let found = issues(yaml)
        #expect(found.map(\.path) == ["receivers[0].slack_configs[0].api_url"])
        #expect(!found.description.contains("xoxb-secret"))
    }

    @Test func reportsEveryProblemNotJustTheFirst() {
        let yaml = Self.minimal
            .replacingOccurrences(of: "receiver: outbox", with: "receiver: pager")
            .replacingOccurrences(of: "credentials: [token]", with: "credentials: [{env: A}, {env: B}]")
        #expect(issues(yaml).map(\.path) == [
            "sources.alertmanager.auth[0].credentials[0]", "sources.alertmanager.auth[0].credentials[1]", "route.receiver",
        ])
    }

    @Test func errorsNeverShowTheSecret() {
        let yaml = Self.minimal.replacingOccurrences(
            of: "type: bearer\n        credentials: [token]", with: "type: standard-webhooks\n        secrets: [\"whsec_hunter2!\"]"
        )
        let text = issues(yaml).map(\.description).joined()
        #expect(!text.isEmpty)
        #expect(!text.contains("hunter2"))
    }

    @Test func parsesPrometheusDurationsAndSizes() {
        #expect(ConfigDuration(parsing: "1h30m")?.duration == .seconds(5400))
        #expect(ConfigDuration(parsing: "250ms")?.duration == .milliseconds(250))
        #expect(ConfigDuration(parsing: "1d")?.duration == .seconds(86_400))
        #expect(ConfigDuration(parsing: "2w1d")?.duration == .seconds(15 * 86_400))
        #expect(ConfigDuration(parsing: "0")?.duration == .zero)
        for invalid in ["", "5", "m", "30m1h", "1h1h", "-5m", "1.5h", "5 m", "99999999999999999y"] {
            #expect(ConfigDuration(parsing: invalid) == nil, "\(invalid)")
        }
        #expect(ByteSize(parsing: "1MiB")?.bytes == 1_048_576)
        #expect(ByteSize(parsing: "512KB")?.bytes == 512_000)
        #expect(ByteSize(parsing: "2048")?.bytes == 2048)
        #expect(ByteSize(parsing: "1.5MiB") == nil)
        #expect(ListenAddress(parsing: ":9099") == ListenAddress(parsing: "0.0.0.0:9099"))
        #expect(ListenAddress(parsing: "[::1]:9099")?.host == "::1")
        #expect(ListenAddress(parsing: "127.0.0.1:99999") == nil)
    }
}
