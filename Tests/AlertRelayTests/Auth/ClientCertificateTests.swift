import AlertRelayTestSupport
import Foundation
import Logging
import Testing

@testable import AlertRelay

@Suite struct ClientCertificateTests {
    @Test func aPolicyWithNamesAdmitsOnlyThoseNames() {
        let policy = ClientCertificatePolicy(commonNames: ["alertmanager-0", "alertmanager-1"])
        #expect(policy.refusal(of: VerifiedClientCertificate(commonNames: ["alertmanager-1"])) == nil)
        #expect(policy.refusal(of: VerifiedClientCertificate(commonNames: ["grafana"]))?.contains("grafana is not among") == true)
        #expect(policy.refusal(of: VerifiedClientCertificate(commonNames: []))?.contains("none is not among") == true)
        #expect(policy.refusal(of: nil)?.contains("no verified client certificate") == true)
    }

    @Test func aPolicyWithoutNamesAdmitsAnyVerifiedCertificateButNotNone() {
        let policy = ClientCertificatePolicy(commonNames: [])
        #expect(policy.refusal(of: VerifiedClientCertificate(commonNames: ["anything"])) == nil)
        #expect(policy.refusal(of: nil) != nil)
    }

    @Test func theIngestorRefusesASourcesWebhookWithoutTheCertificateEvenWithTheRightToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-mtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["server.pem", "server.key", "ca.pem"] {
            try Data("placeholder".utf8).write(to: directory.appendingPathComponent(name))
        }
        let yaml = """
            server: {tls: {cert_file: server.pem, key_file: server.key, client_ca_file: ca.pem}}
            sources:
              am:
                client_certificate: {common_names: [alertmanager-0]}
                auth: [{type: bearer, credentials: [t]}]
            route: {receiver: main}
            receivers: [{name: main, file_configs: [{path: all.jsonl}]}]
            """
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:])
        let queue = RecordingQueue()
        let ingestor = Ingestor(configuration: config, queue: queue)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let source = try #require(config.sources["am"])
        let body = try Fixtures.bytes(Fixtures.alertmanager[0])
        let headers = [(name: "Authorization", value: "Bearer t")]

        await #expect(throws: IngestError.unauthorized) {
            _ = try await ingestor.ingest(WebhookRequest(headers: headers, body: body), from: source, logger: logger)
        }
        await #expect(throws: IngestError.unauthorized) {
            let stranger = VerifiedClientCertificate(commonNames: ["grafana"])
            _ = try await ingestor.ingest(WebhookRequest(headers: headers, body: body, clientCertificate: stranger), from: source, logger: logger)
        }
        let alertmanager = VerifiedClientCertificate(commonNames: ["alertmanager-0"])
        _ = try await ingestor.ingest(WebhookRequest(headers: headers, body: body, clientCertificate: alertmanager), from: source, logger: logger)
        #expect(queue.all.count == 1)
    }
}
