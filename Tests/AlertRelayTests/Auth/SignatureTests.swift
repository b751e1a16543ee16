import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

/// Every scheme against the published vectors in `signatures.json`, plus what must fail.
@Suite struct SignatureTests {
    let vectors: [String: [String: String]]
    init() throws { vectors = try Fixtures.signatures() }

    func request(_ headers: [(String, String)], body: [UInt8]) -> WebhookRequest {
        WebhookRequest(headers: headers.map { (name: $0.0, value: $0.1) }, body: body)
    }

    func at(_ timestamp: String?) -> Date {
        Date(timeIntervalSince1970: Double(timestamp ?? "0") ?? 0)
    }

    // MARK: Standard Webhooks

    func standardWebhooksVector() throws -> (StandardWebhooks, WebhookRequest, Date) {
        let v = try #require(vectors["standard-webhooks"])
        let encoded = try #require(v["secret"])
        let secret = try #require(StandardWebhooks.secret(fromEncoded: encoded))
        let verifier = StandardWebhooks(secrets: [secret])
        let request = request(
            [("webhook-id", v["webhook-id"]!), ("webhook-timestamp", v["webhook-timestamp"]!), ("webhook-signature", v["webhook-signature"]!)],
            body: Array(v["body"]!.utf8)
        )
        return (verifier, request, at(v["webhook-timestamp"]))
    }

    @Test func standardWebhooksAcceptsTheSpecificationVector() throws {
        let (verifier, request, time) = try standardWebhooksVector()
        #expect(verifier.verify(request, now: time) == .passed(replayKey: "webhook-id:msg_p5jXN8AQM9LWM0D4loKWxJek", replayWindow: .seconds(600)))
    }

    @Test func standardWebhooksRefusesStaleAndFutureTimestamps() throws {
        let (verifier, request, time) = try standardWebhooksVector()
        #expect(verifier.verify(request, now: time.addingTimeInterval(301)) == .failed(.timestampOutsideTolerance(header: "webhook-timestamp")))
        #expect(verifier.verify(request, now: time.addingTimeInterval(-301)) == .failed(.timestampOutsideTolerance(header: "webhook-timestamp")))
        #expect(verifier.verify(request, now: time.addingTimeInterval(299)) != .failed(.timestampOutsideTolerance(header: "webhook-timestamp")))
        #expect(verifier.verify(request, now: Date()) == .failed(.timestampOutsideTolerance(header: "webhook-timestamp")), "the vector is from 2021")
    }

    @Test func standardWebhooksRefusesAWrongSecretOrATamperedBody() throws {
        let (_, request, time) = try standardWebhooksVector()
        let wrong = StandardWebhooks(secrets: [Secret("another secret")])
        #expect(wrong.verify(request, now: time) == .failed(.noMatchingSignature))
        let (verifier, _, _) = try standardWebhooksVector()
        var tampered = request
        tampered.body = Array(#"{"test": 2432232315}"#.utf8)
        #expect(verifier.verify(tampered, now: time) == .failed(.noMatchingSignature))
    }

    @Test func standardWebhooksAcceptsRotatedKeysAndSignatureLists() throws {
        let (verifier, request, time) = try standardWebhooksVector()
        let rotated = StandardWebhooks(secrets: [Secret("new key, not yet used by the sender")] + verifier.secrets)
        #expect(rotated.verify(request, now: time) != .failed(.noMatchingSignature))

        var listed = request
        let signature = try #require(request.header("webhook-signature"))
        listed.headers.removeAll { $0.name == "webhook-signature" }
        listed.headers.append((name: "Webhook-Signature", value: "v1a,ignored v1,AAAA \(signature)"))
        #expect(verifier.verify(listed, now: time) != .failed(.noMatchingSignature))
    }

    @Test(arguments: ["webhook-id", "webhook-timestamp", "webhook-signature"])
    func standardWebhooksRefusesAMissingHeader(_ header: String) throws {
        let (verifier, request, time) = try standardWebhooksVector()
        var incomplete = request
        incomplete.headers.removeAll { $0.name == header }
        #expect(verifier.verify(incomplete, now: time) == .failed(.missingHeader(header)))
    }

    @Test func standardWebhooksSignerMatchesTheVector() throws {
        let v = try #require(vectors["standard-webhooks"])
        let secret = try #require(StandardWebhooks.secret(fromEncoded: v["secret"]!))
        let headers = StandardWebhooks.sign(body: Array(v["body"]!.utf8), secret: secret, id: v["webhook-id"]!, timestamp: 1_614_265_330)
        #expect(headers.first { $0.name == "webhook-signature" }?.value == v["webhook-signature"])
    }

    @Test func standardWebhooksSecretsMustBeBase64() {
        #expect(StandardWebhooks.secret(fromEncoded: "whsec_not base64!") == nil)
        #expect(StandardWebhooks.secret(fromEncoded: "whsec_") == nil)
        #expect(StandardWebhooks.secret(fromEncoded: "c2VjcmV0")?.bytes == Array("secret".utf8))
    }

    // MARK: GitHub-style hex

    /// Optional whitespace around a header value (HTTP's spaces and tabs) is not part of it; anything else
    /// around a number is not a number.
    @Test func signatureHeadersAreReadWithoutTheirSurroundingSpacesAndTabs() throws {
        let (verifier, vector, time) = try standardWebhooksVector()
        let padded = request(vector.headers.map { ($0.name, $0.name == "webhook-timestamp" ? " \t\($0.value)\t " : $0.value) }, body: vector.body)
        #expect(verifier.verify(padded, now: time) == verifier.verify(vector, now: time))
        let odd = request(vector.headers.map { ($0.name, $0.name == "webhook-timestamp" ? "\u{00A0}\($0.value)" : $0.value) }, body: vector.body)
        #expect(verifier.verify(odd, now: time) == .failed(.malformedHeader("webhook-timestamp")))
        let v = try #require(vectors["github"])
        let hex = HexSignature(secrets: [Secret(v["secret"]!)], header: v["header"]!)
        #expect(hex.verify(request([(v["header"]!, "  " + v["value"]! + "\t")], body: Array(v["body"]!.utf8)), now: Date()) == .passedWithoutReplayKey)
        #expect("   ".trimmingHTTPWhitespace().isEmpty)
    }

    @Test func hexAcceptsGitHubsVectorWithAndWithoutPrefix() throws {
        let v = try #require(vectors["github"])
        let verifier = HexSignature(secrets: [Secret(v["secret"]!)], header: v["header"]!)
        let body = Array(v["body"]!.utf8)
        let value = v["value"]!
        #expect(verifier.verify(request([("x-hub-signature-256", value)], body: body), now: Date()) == .passedWithoutReplayKey)
        #expect(verifier.verify(request([(v["header"]!, String(value.dropFirst(7)).uppercased())], body: body), now: Date()) == .passedWithoutReplayKey)
        #expect(HexSignature.sign(body: body, secret: Secret(v["secret"]!), header: v["header"]!).first?.value == value)
    }

    @Test func hexRefusesWrongSecretsMalformedAndMissingHeaders() throws {
        let v = try #require(vectors["github"])
        let body = Array(v["body"]!.utf8)
        let verifier = HexSignature(secrets: [Secret("wrong")])
        #expect(verifier.verify(request([(HexSignature.defaultHeader, v["value"]!)], body: body), now: Date()) == .failed(.noMatchingSignature))
        #expect(verifier.verify(request([(HexSignature.defaultHeader, "sha256=zz")], body: body), now: Date()) == .failed(.malformedHeader(HexSignature.defaultHeader)))
        #expect(verifier.verify(request([], body: body), now: Date()) == .failed(.missingHeader(HexSignature.defaultHeader)))
    }

    // MARK: Grafana

    func grafana() throws -> (vector: [String: String], body: [UInt8]) {
        let v = try #require(vectors["grafana"])
        return (v, try Fixtures.bytes(v["body_file"]!))
    }

    @Test func grafanaAcceptsTheVectorWithoutTimestamp() throws {
        let (v, body) = try grafana()
        let verifier = GrafanaSignature(secrets: [Secret(v["secret"]!)])
        #expect(verifier.verify(request([(v["header"]!, v["value_without_timestamp"]!)], body: body), now: Date()) == .passedWithoutReplayKey)
        #expect(GrafanaSignature.sign(body: body, secret: Secret(v["secret"]!), timestamp: nil).first?.value == v["value_without_timestamp"])
    }

    @Test func grafanaAcceptsTheVectorWithTimestampAndRefusesItOutsideTolerance() throws {
        let (v, body) = try grafana()
        let verifier = GrafanaSignature(secrets: [Secret(v["secret"]!)], timestampHeader: v["timestamp_header"]!)
        let signed = request([(v["header"]!, v["value_with_timestamp"]!), (v["timestamp_header"]!, v["timestamp"]!)], body: body)
        let time = at(v["timestamp"])
        #expect(verifier.verify(signed, now: time) == .passed(replayKey: "grafana:" + v["value_with_timestamp"]!, replayWindow: .seconds(600)))
        #expect(verifier.verify(signed, now: time.addingTimeInterval(-300)) != .failed(.noMatchingSignature))
        #expect(verifier.verify(signed, now: time.addingTimeInterval(301)) == .failed(.timestampOutsideTolerance(header: v["timestamp_header"]!)))
        #expect(verifier.verify(signed, now: time.addingTimeInterval(-301)) == .failed(.timestampOutsideTolerance(header: v["timestamp_header"]!)))

        let unsigned = request([(v["header"]!, v["value_with_timestamp"]!)], body: body)
        #expect(verifier.verify(unsigned, now: time) == .failed(.missingHeader(v["timestamp_header"]!)))
        let signer = GrafanaSignature.sign(body: body, secret: Secret(v["secret"]!), timestamp: (v["timestamp_header"]!, 1_764_439_200))
        #expect(signer.first { $0.name == v["header"] }?.value == v["value_with_timestamp"])
    }

    @Test func grafanaRefusesTheBodySignatureWhenATimestampIsRequired() throws {
        // A signature over the body alone must not pass where {timestamp}:{body} is expected: it never expires.
        let (v, body) = try grafana()
        let verifier = GrafanaSignature(secrets: [Secret(v["secret"]!)], timestampHeader: v["timestamp_header"]!)
        let signed = request([(v["header"]!, v["value_without_timestamp"]!), (v["timestamp_header"]!, v["timestamp"]!)], body: body)
        #expect(verifier.verify(signed, now: at(v["timestamp"])) == .failed(.noMatchingSignature))
    }

    @Test func grafanaTakesRotatedKeysAndACustomHeader() throws {
        let (v, body) = try grafana()
        let verifier = GrafanaSignature(secrets: [Secret("old"), Secret(v["secret"]!)], header: "X-Signature")
        #expect(verifier.verify(request([("x-signature", v["value_without_timestamp"]!)], body: body), now: Date()) == .passedWithoutReplayKey)
        #expect(verifier.verify(request([(v["header"]!, v["value_without_timestamp"]!)], body: body), now: Date()) == .failed(.missingHeader("X-Signature")))
    }

    // MARK: Credentials

    @Test func bearerAcceptsAnyConfiguredTokenAndNothingElse() {
        let verifier = BearerToken(tokens: [Secret("spike-bearer-token-123"), Secret("next-token")])
        #expect(verifier.verify(request([("Authorization", "Bearer spike-bearer-token-123")], body: []), now: Date()) == .passedWithoutReplayKey)
        #expect(verifier.verify(request([("authorization", "bearer next-token")], body: []), now: Date()) == .passedWithoutReplayKey)
        #expect(verifier.verify(request([("Authorization", "Bearer spike-bearer-token-12")], body: []), now: Date()) == .failed(.wrongCredentials))
        #expect(verifier.verify(request([("Authorization", "Basic c3Bpa2U=")], body: []), now: Date()) == .failed(.malformedHeader("Authorization")))
        #expect(verifier.verify(request([], body: []), now: Date()) == .failed(.missingHeader("Authorization")))
    }

    @Test func basicAcceptsAlertmanagersCredentials() {
        // What Alertmanager sent for basic_auth {username: am, password: s3cret} (04-truncated-max-alerts-2.headers.txt).
        let verifier = BasicAuth(users: [BasicAuth.User(username: "am", password: Secret("s3cret"))])
        #expect(verifier.verify(request([("Authorization", "Basic YW06czNjcmV0")], body: []), now: Date()) == .passedWithoutReplayKey)
        let wrongPassword = "Basic " + Data("am:s3cre".utf8).base64EncodedString()
        #expect(verifier.verify(request([("Authorization", wrongPassword)], body: []), now: Date()) == .failed(.wrongCredentials))
        let wrongUser = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()
        #expect(verifier.verify(request([("Authorization", wrongUser)], body: []), now: Date()) == .failed(.wrongCredentials))
        #expect(verifier.verify(request([("Authorization", "Basic !!!")], body: []), now: Date()) == .failed(.malformedHeader("Authorization")))
    }

    @Test func secretsNeverPrint() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<secret>")
        #expect(String(reflecting: secret) == "<secret>")
        #expect(!"\(GrafanaSignature(secrets: [secret]))".contains("hunter2"))
    }
}
