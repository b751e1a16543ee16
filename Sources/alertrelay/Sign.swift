import AlertRelay
import ArgumentParser
import Foundation

/// `alertrelay sign`: prints the headers a sender would send for the body on standard input, so an operator
/// can try a source with plain curl.
struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the signature headers for the body read from standard input, one 'Name: value' a line."
    )

    enum Scheme: String, ExpressibleByArgument, CaseIterable {
        case grafana
        case standardWebhooks = "standard-webhooks"
        case hex
    }

    @Option(help: "grafana, standard-webhooks or hex.")
    var scheme: Scheme

    @Option(help: "The secret (visible to other users in the process list; prefer --secret-file or --secret-env).")
    var secret: String?

    @Option(help: "Read the secret from this file.")
    var secretFile: String?

    @Option(help: "Read the secret from this environment variable.")
    var secretEnv: String?

    @Option(help: "standard-webhooks: the webhook-id (default: a new msg_ id).")
    var id: String?

    @Option(help: "Unix timestamp in seconds (default: now). For grafana, only with --timestamp-header.")
    var timestamp: Int64?

    @Option(help: "grafana, hex: the signature header (default: X-Grafana-Alerting-Signature, X-Hub-Signature-256).")
    var header: String?

    @Option(help: "grafana: also sign with a timestamp, sent in this header.")
    var timestampHeader: String?

    func run() throws {
        let text = try secretText()
        let body = Array(FileHandle.standardInput.readDataToEndOfFile())
        let now = timestamp ?? Int64(Date().timeIntervalSince1970)
        let headers: [(name: String, value: String)]
        switch scheme {
        case .grafana:
            headers = GrafanaSignature.sign(
                body: body, secret: Secret(text), header: header ?? GrafanaSignature.defaultHeader,
                timestamp: timestampHeader.map { ($0, now) }
            )
        case .standardWebhooks:
            guard let secret = StandardWebhooks.secret(fromEncoded: text) else {
                throw ValidationError("a Standard Webhooks secret is base64, optionally prefixed with whsec_")
            }
            let id = self.id ?? "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            headers = StandardWebhooks.sign(body: body, secret: secret, id: id, timestamp: now)
        case .hex:
            headers = HexSignature.sign(body: body, secret: Secret(text), header: header ?? HexSignature.defaultHeader)
        }
        for (name, value) in headers { print("\(name): \(value)") }
    }

    private func secretText() throws -> String {
        let refs: [SecretRef] = [secret.map(SecretRef.value), secretFile.map(SecretRef.file), secretEnv.map(SecretRef.env)].compactMap { $0 }
        guard refs.count == 1, let ref = refs.first else {
            throw ValidationError("give exactly one of --secret, --secret-file, --secret-env")
        }
        switch ref.resolve(baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), environment: ProcessInfo.processInfo.environment) {
        case .success(let text): return text
        case .failure(let error): throw ValidationError("\(error)")
        }
    }
}
