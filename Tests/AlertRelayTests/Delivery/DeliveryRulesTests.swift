import Foundation
import Testing

@testable import AlertRelay

/// The rules that decide what happens to a failed delivery: which HTTP answers are worth retrying, what a
/// transport error or a `Retry-After` header becomes, and when the next attempt is (or that there is none).
@Suite struct DeliveryRulesTests {
    enum Kind: String, Sendable {
        case delivered, transient, permanent
    }

    static func kind(_ outcome: DeliveryOutcome) -> Kind {
        switch outcome {
        case .delivered: .delivered
        case .transient: .transient
        case .permanent: .permanent
        }
    }

    static func reason(_ outcome: DeliveryOutcome) -> String? {
        switch outcome {
        case .delivered: nil
        case .transient(let reason, _, _, _), .permanent(let reason, _, _): reason
        }
    }

    static func retryAfter(_ outcome: DeliveryOutcome) -> Duration? {
        if case .transient(_, _, _, let retryAfter) = outcome { retryAfter } else { nil }
    }

    /// Answers every request with the same scripted result.
    struct ScriptedHTTP: HTTPTransport {
        let result: Result<OutboundResponse, TransportError>

        func send(_ request: OutboundRequest) async -> Result<OutboundResponse, TransportError> { result }
    }

    static let request = OutboundRequest(url: "https://receiver.example.org/hook", body: Array("{}".utf8))

    /// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
    static let now = Date(timeIntervalSince1970: 784_111_777)

    // MARK: - HTTP status → outcome

    struct StatusCase: Sendable, CustomTestStringConvertible {
        let status: Int
        let expected: Kind
        var testDescription: String { "\(status) → \(expected)" }
    }

    static let statuses: [StatusCase] = [
        StatusCase(status: 200, expected: .delivered),
        StatusCase(status: 201, expected: .delivered),
        StatusCase(status: 204, expected: .delivered),
        StatusCase(status: 299, expected: .delivered),
        StatusCase(status: 301, expected: .permanent),  // redirects are not followed unless configured
        StatusCase(status: 400, expected: .permanent),
        StatusCase(status: 401, expected: .permanent),
        StatusCase(status: 403, expected: .permanent),
        StatusCase(status: 404, expected: .permanent),
        StatusCase(status: 408, expected: .transient),
        StatusCase(status: 410, expected: .permanent),
        StatusCase(status: 413, expected: .permanent),
        StatusCase(status: 422, expected: .permanent),
        StatusCase(status: 425, expected: .transient),
        StatusCase(status: 429, expected: .transient),
        StatusCase(status: 500, expected: .transient),
        StatusCase(status: 502, expected: .transient),
        StatusCase(status: 503, expected: .transient),
        StatusCase(status: 504, expected: .transient),
        StatusCase(status: 599, expected: .transient),
    ]

    @Test(arguments: DeliveryRulesTests.statuses)
    func httpStatusIsClassified(_ c: StatusCase) {
        let outcome = DeliveryOutcome.classify(httpStatus: c.status, response: "the answer", retryAfter: .seconds(7))
        #expect(Self.kind(outcome) == c.expected)
        #expect(outcome.status == c.status, "the status is kept in the attempt record")
        #expect(outcome.response == "the answer", "the sink's answer is kept in the attempt record")
        if c.expected == .transient {
            #expect(Self.retryAfter(outcome) == .seconds(7), "a transient answer carries the sink's Retry-After")
        }
    }

    // MARK: - Transport errors → outcome

    struct TransportCase: Sendable, CustomTestStringConvertible {
        let error: TransportError
        let expected: Kind
        var testDescription: String { "\(error) → \(expected)" }
    }

    static let transportErrors: [TransportCase] = [
        TransportCase(error: .connection("Couldn't connect to server"), expected: .transient),
        TransportCase(error: .timeout("Operation timed out after 10000 milliseconds"), expected: .transient),
        TransportCase(error: .tls("SSL certificate problem: certificate has expired"), expected: .transient),
        TransportCase(error: .other("Failure when receiving data from the peer"), expected: .transient),
        TransportCase(error: .invalidRequest("URL rejected: Malformed input to a URL function"), expected: .permanent),
    ]

    @Test(arguments: DeliveryRulesTests.transportErrors)
    func transportErrorIsClassified(_ c: TransportCase) async {
        let outcome = await ScriptedHTTP(result: .failure(c.error)).deliver(Self.request, now: Self.now)
        #expect(Self.kind(outcome) == c.expected)
        #expect(outcome.status == nil, "no HTTP answer, no status")
        #expect(Self.retryAfter(outcome) == nil, "nobody asked for a delay: the retry policy decides")
        let message: String
        switch c.error {
        case .connection(let m), .timeout(let m), .tls(let m), .invalidRequest(let m), .other(let m): message = m
        }
        #expect(Self.reason(outcome)?.contains(message) == true, "the operator sees why: \(String(describing: Self.reason(outcome)))")
    }

    // MARK: - Retry-After → outcome

    struct RetryAfterCase: Sendable, CustomTestStringConvertible {
        var status = 503
        var header = "Retry-After"
        let value: String?
        let expected: Duration?
        let note: String
        var testDescription: String { note }
    }

    static let retryAfters: [RetryAfterCase] = [
        RetryAfterCase(value: nil, expected: nil, note: "no header: no delay asked"),
        RetryAfterCase(value: "120", expected: .seconds(120), note: "delay-seconds"),
        RetryAfterCase(status: 429, value: "30", expected: .seconds(30), note: "delay-seconds on a 429"),
        RetryAfterCase(header: "retry-after", value: "120", expected: .seconds(120), note: "the header name is case-insensitive"),
        RetryAfterCase(value: " 45 ", expected: .seconds(45), note: "surrounding spaces are ignored"),
        RetryAfterCase(value: "0", expected: .seconds(0), note: "zero: retry at once (the policy's floor applies)"),
        RetryAfterCase(value: "Sun, 06 Nov 1994 08:51:07 GMT", expected: .seconds(90), note: "an HTTP date 90 s after now"),
        RetryAfterCase(status: 429, value: "Sun, 06 Nov 1994 09:49:37 GMT", expected: .seconds(3600), note: "an HTTP date an hour after now, on a 429"),
        RetryAfterCase(value: "Sun, 06 Nov 1994 08:49:37 GMT", expected: .seconds(0), note: "an HTTP date equal to now"),
        RetryAfterCase(value: "Sun, 06 Nov 1994 07:00:00 GMT", expected: .seconds(0), note: "an HTTP date in the past: no negative delay"),
        RetryAfterCase(value: "soon", expected: nil, note: "garbage is ignored"),
        RetryAfterCase(value: "", expected: nil, note: "an empty value is ignored"),
        RetryAfterCase(value: "-5", expected: nil, note: "a negative number is ignored"),
        RetryAfterCase(value: "1.5", expected: nil, note: "a fraction is not delay-seconds"),
        RetryAfterCase(value: "86400000", expected: .seconds(86_400_000), note: "a huge delay is kept here; the retry policy caps it"),
        RetryAfterCase(value: "99999999999999999999", expected: nil, note: "a number past Int64 is ignored, not a trap"),
    ]

    @Test(arguments: DeliveryRulesTests.retryAfters)
    func retryAfterIsRead(_ c: RetryAfterCase) async {
        var headers: [(name: String, value: String)] = [("Content-Type", "text/plain")]
        if let value = c.value { headers.append((name: c.header, value: value)) }
        let response = OutboundResponse(status: c.status, headers: headers, body: Array("busy".utf8))
        let outcome = await ScriptedHTTP(result: .success(response)).deliver(Self.request, now: Self.now)
        #expect(Self.kind(outcome) == .transient)
        #expect(outcome.status == c.status)
        #expect(Self.retryAfter(outcome) == c.expected)
    }

    @Test func theAnswerIsKeptUpTo512Bytes() async {
        let body = Array(String(repeating: "e", count: 600).utf8)
        let outcome = await ScriptedHTTP(result: .success(OutboundResponse(status: 500, headers: [], body: body)))
            .deliver(Self.request, now: Self.now)
        #expect(outcome.response == String(repeating: "e", count: 512))
    }

    // MARK: - The retry schedule

    enum Decision: Sendable, Equatable, CustomStringConvertible {
        case retry(Duration)
        case giveUp

        var description: String {
            switch self {
            case .retry(let delay): "retry after \(delay)"
            case .giveUp: "give up"
            }
        }
    }

    struct ScheduleCase: Sendable, CustomTestStringConvertible {
        var policy = RetryPolicy()
        let attempts: Int
        var age: Duration = .zero
        var retryAfter: Duration? = nil
        var unit = 0.0
        let expected: Decision
        let note: String
        var testDescription: String { note }
    }

    /// The default policy: initial 1 s, × 2, capped at 300 s, max age 24 h, no attempt limit, Retry-After ≤ 1 h.
    /// The delay is drawn in [step / 2, step): `unit` 0 gives the half, 0.999 nearly the whole step.
    static let schedule: [ScheduleCase] = [
        ScheduleCase(attempts: 1, expected: .retry(.milliseconds(500)), note: "first retry, unit 0: half the initial interval"),
        ScheduleCase(attempts: 1, unit: 0.999, expected: .retry(.milliseconds(999)), note: "first retry, unit 0.999: just under the initial interval"),
        ScheduleCase(attempts: 2, expected: .retry(.milliseconds(1000)), note: "second retry: step 2 s"),
        ScheduleCase(attempts: 3, expected: .retry(.milliseconds(2000)), note: "third retry: step 4 s"),
        ScheduleCase(attempts: 3, unit: 0.5, expected: .retry(.milliseconds(3000)), note: "unit 0.5: three quarters of the step"),
        ScheduleCase(attempts: 4, unit: 0.999, expected: .retry(.milliseconds(7996)), note: "fourth retry, unit 0.999: just under 8 s"),
        ScheduleCase(attempts: 9, expected: .retry(.milliseconds(128_000)), note: "step 256 s, still under the cap"),
        ScheduleCase(attempts: 10, expected: .retry(.milliseconds(150_000)), note: "step 512 s capped at 300 s, unit 0"),
        ScheduleCase(attempts: 10, unit: 0.999, expected: .retry(.milliseconds(299_850)), note: "capped, unit 0.999: never past max_interval"),
        ScheduleCase(attempts: 5000, expected: .retry(.milliseconds(150_000)), note: "an exponent past Double's range stays capped"),
        ScheduleCase(
            policy: RetryPolicy(initialInterval: .seconds(2), multiplier: 3), attempts: 3, expected: .retry(.milliseconds(9000)),
            note: "multiplier 3 from 2 s: step 18 s"
        ),
        ScheduleCase(policy: RetryPolicy(maxAttempts: 5), attempts: 4, expected: .retry(.milliseconds(4000)), note: "max_attempts 5, 4 made: retry"),
        ScheduleCase(policy: RetryPolicy(maxAttempts: 5), attempts: 5, expected: .giveUp, note: "max_attempts 5, 5 made: give up"),
        ScheduleCase(policy: RetryPolicy(maxAttempts: 5), attempts: 6, expected: .giveUp, note: "max_attempts 5, 6 made: give up"),
        ScheduleCase(attempts: 1000, expected: .retry(.milliseconds(150_000)), note: "max_attempts 0: no attempt limit"),
        ScheduleCase(
            attempts: 1, age: .milliseconds(86_399_500), expected: .retry(.milliseconds(500)),
            note: "the next attempt lands exactly at max_age: still tried"
        ),
        ScheduleCase(attempts: 1, age: .milliseconds(86_399_501), expected: .giveUp, note: "the next attempt would land past max_age: give up"),
        ScheduleCase(attempts: 3, age: .seconds(2 * 86_400), expected: .giveUp, note: "already older than max_age: give up"),
        ScheduleCase(attempts: 7, retryAfter: .seconds(30), unit: 0.999, expected: .retry(.seconds(30)), note: "Retry-After 30 s is honoured as is"),
        ScheduleCase(attempts: 1, retryAfter: .seconds(1200), expected: .retry(.seconds(1200)), note: "Retry-After past max_interval is honoured"),
        ScheduleCase(attempts: 1, retryAfter: .zero, expected: .retry(.seconds(1)), note: "Retry-After 0 is raised to the initial interval"),
        ScheduleCase(attempts: 1, retryAfter: .milliseconds(300), expected: .retry(.seconds(1)), note: "Retry-After under initial_interval is raised"),
        ScheduleCase(attempts: 1, retryAfter: .seconds(7200), expected: .retry(.seconds(3600)), note: "Retry-After 2 h: capped at max_retry_after"),
        ScheduleCase(attempts: 1, retryAfter: .seconds(Int64.max), expected: .retry(.seconds(3600)), note: "an absurd Retry-After is capped, not a trap"),
        ScheduleCase(
            attempts: 2, age: .seconds(86_000), retryAfter: .seconds(600), expected: .giveUp,
            note: "Retry-After that lands past max_age: give up"
        ),
        ScheduleCase(
            policy: RetryPolicy(maxAttempts: 3), attempts: 3, retryAfter: .seconds(5), expected: .giveUp,
            note: "Retry-After does not lift max_attempts"
        ),
    ]

    @Test(arguments: DeliveryRulesTests.schedule)
    func retrySchedule(_ c: ScheduleCase) {
        let decision: Decision
        switch c.policy.next(attempts: c.attempts, age: c.age, retryAfter: c.retryAfter, unit: c.unit) {
        case .retry(let delay): decision = .retry(delay)
        case .giveUp(let reason):
            decision = .giveUp
            #expect(!reason.isEmpty, "a dead letter says why")
        }
        #expect(decision == c.expected)
    }

    /// Full jitter on the upper half: whatever the unit, the delay is at least half the step and less than it.
    @Test(arguments: 1...12)
    func jitterStaysInTheUpperHalfOfTheStep(attempts: Int) {
        let policy = RetryPolicy()
        let step = Duration.seconds(min(1 << (attempts - 1), 300))
        for unit in [0, 0.1, 0.5, 0.9, 0.999] {
            guard case .retry(let delay) = policy.next(attempts: attempts, age: .zero, retryAfter: nil, unit: unit) else {
                Issue.record("gave up at attempt \(attempts)")
                continue
            }
            #expect(delay >= step / 2 && delay < step, "unit \(unit): \(delay) outside [\(step / 2), \(step))")
        }
    }
}
