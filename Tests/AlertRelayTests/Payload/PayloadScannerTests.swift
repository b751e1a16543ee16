import AlertRelayTestSupport
import Foundation
import Testing

@_spi(Testing) @testable import AlertRelay

/// The fast payload decoder must read what JSONDecoder reads, or give up and let JSONDecoder decide.
@Suite struct PayloadScannerTests {
    static func jsonDecoder(_ text: String) -> AlertNotification? {
        try? JSONDecoder().decode(AlertNotification.self, from: Data(text.utf8))
    }

    @Test(arguments: Fixtures.alertmanager)
    func readsEveryRealAlertmanagerPayloadAsJSONDecoderDoes(_ name: String) throws {
        let body = try Fixtures.bytes(name)
        let scanned = try #require(PayloadScanner.notification(body), "the fast path takes what Alertmanager sends")
        #expect(scanned == (try JSONDecoder().decode(AlertNotification.self, from: Data(body))))
    }

    @Test func agreesOnTheGrafanaPayload() throws {
        #expect(AlertNotification.scannerAgreesWithJSONDecoder(try Fixtures.bytes(Fixtures.grafana)))
    }

    static let base = #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2026-11-30T00:00:00Z"}]"#

    /// Inputs the scanner takes: it must give JSONDecoder's result.
    @Test(arguments: [
        base + "}",
        " \n\t" + base + ",\"receiver\":null,\"groupKey\":\"{}:{a=\\\"b\\\"}\",\"truncatedAlerts\":3}\n",
        base + #","groupLabels":{},"commonLabels":{"x":"é ✓ \u00e9 \ud83d\ude00 \/ \b\f\n\r\t"},"externalURL":"http://am:9093"}"#,
        base + #","unknown":{"deep":[1,-2.5e+3,0.0,true,false,null,"s",{"k":[]}]},"orgId":-7,"state":"alerting"}"#,
        #"{"version":"1","status":"resolved","alerts":[{"status":"resolved","labels":{},"annotations":null,"startsAt":"2026-11-30T00:00:00.123456789+02:00","endsAt":"0001-01-01T00:00:00Z","fingerprint":"","values":null}],"title":"t","message":null}"#,
        #"{"alerts":[{"labels":{"n":"1"},"status":"firing","startsAt":"2026-11-30T00:00:00Z","endsAt":"2026-11-30T01:00:00Z","generatorURL":"g","fingerprint":"f","silenceURL":"s","dashboardURL":"d","panelURL":"p","valueString":"v"}],"status":"firing","version":"4"}"#,
    ])
    func readsWhatJSONDecoderReads(_ text: String) throws {
        let scanned = try #require(PayloadScanner.notification(Array(text.utf8)))
        #expect(scanned == Self.jsonDecoder(text))
    }

    /// Inputs the scanner leaves to JSONDecoder, which accepts some of them and refuses the rest.
    @Test(arguments: [
        base, base + "}x", base + ",}", base + #","version":"4"}"#, base + #","truncatedAlerts":1.0}"#,
        base + #","truncatedAlerts":1e2}"#, base + #","truncatedAlerts":01}"#, base + #","truncatedAlerts":-0}"#,
        base + #","truncatedAlerts":99999999999999999999}"#, base + #","receiver":"\ud800"}"#, base + #","receiver":"a"#,
        base + #","x":[1,]}"#, base + #","x":01}"#, base + #","x":-}"#, base + #","x":1.}"#, base + #","x":tru}"#,
        base + ",\"receiver\":\"tab\there\"}", "\u{FEFF}" + base + "}", base + #","receiver":5}"#,
        #"{"version":"2","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"2026-11-30T00:00:00Z"}]}"#,
        #"{"version":"4","status":"firing","alerts":[]}"#,
        #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"b","a":"c"},"startsAt":"2026-11-30T00:00:00Z"}]}"#,
        #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2026-11-30T00:00:00Z","values":{"A":1.5}}]}"#,
        #"{"version":"4","status":"firing","alerts":[{"status":"pending","labels":{},"startsAt":"2026-11-30T00:00:00Z"}]}"#,
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "", "null", "[]",
    ])
    func givesUpWhereJSONDecoderMustDecide(_ text: String) {
        #expect(PayloadScanner.notification(Array(text.utf8)) == nil)
        // What the ingest path makes of it is then exactly JSONDecoder's verdict: the same notification, or a refusal.
        #expect((try? AlertNotification.decode(json: Array(text.utf8))) == Self.jsonDecoder(text))
    }

    /// Every payload seed of the fuzzing corpus, and each with one byte changed at every position: the two
    /// decoders never disagree.
    @Test func agreesOnTheFuzzCorpusAndItsOneByteMutations() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasPrefix("payload-") }
        #expect(seeds.count >= 5)
        for seed in seeds {
            let body = Array(try Data(contentsOf: corpus.appendingPathComponent(seed)).dropFirst())
            #expect(AlertNotification.scannerAgreesWithJSONDecoder(body), "\(seed)")
            for position in stride(from: 0, to: body.count, by: 3) {
                for replacement: UInt8 in [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "0"), UInt8(ascii: "\\"), 0x0a] {
                    var mutated = body
                    mutated[position] = replacement
                    #expect(AlertNotification.scannerAgreesWithJSONDecoder(mutated), "\(seed) with \(replacement) at \(position)")
                }
            }
        }
    }
}

/// The hand-written encoder must write what JSONEncoder writes, as a document (key order and escapes may differ).
@Suite struct PayloadWriterTests {
    static func document(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    static var notifications: [AlertNotification] {
        get throws {
            var list = try Fixtures.alertmanager.map { try JSONDecoder().decode(AlertNotification.self, from: Data(Fixtures.bytes($0))) }
            list.append(try JSONDecoder().decode(AlertNotification.self, from: Data(Fixtures.bytes(Fixtures.grafana))))
            let tricky = "quote \" backslash \\ slash / newline \n tab \t nul \u{0} bell \u{7} del \u{7f} é ✓ 😀 \u{2028}"
            list.append(AlertNotification(
                status: .resolved, receiver: tricky, groupKey: "{}:{a=\"b\"}", truncatedAlerts: 2, groupLabels: [tricky: tricky],
                alerts: [Alert(status: .resolved, labels: ["z": "1", "a": tricky], annotations: ["url": "http://x/y?a=1&b=<2>"],
                               startsAt: Timestamp(seconds: 1_795_980_600, nanoseconds: 187_001_208), endsAt: Timestamp(seconds: 1_795_980_900),
                               silenceURL: "s", valueString: "[ var='A' value=1 ]")],
                orgId: 1, state: "alerting", title: tricky, message: nil
            ))
            return list
        }
    }

    @Test func writesTheDocumentJSONEncoderWritesAndReadsBackTheSame() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for notification in try Self.notifications {
            let written = notification.jsonBytes()
            #expect(try Self.document(written) == Self.document(Array(encoder.encode(notification))))
            #expect(try JSONDecoder().decode(AlertNotification.self, from: Data(written)) == notification)
            if notification.alerts.allSatisfy({ $0.values == nil }) {
                #expect(PayloadScanner.notification(written) == notification, "what the queue stores, the scanner reads back")
            } else {
                #expect(AlertNotification.scannerAgreesWithJSONDecoder(written))
            }
        }
    }
}
