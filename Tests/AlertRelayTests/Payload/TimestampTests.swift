import Foundation
import Testing

@testable import AlertRelay

@Suite struct TimestampTests {
    let base = Timestamp(seconds: 1_795_980_600)  // 2026-11-29T19:30:00Z

    @Test func parsesTheFormsGoWrites() {
        #expect(Timestamp(rfc3339: "2026-11-29T19:30:00Z") == base)
        #expect(Timestamp(rfc3339: "2026-11-29t19:30:00z") == base)
        #expect(Timestamp(rfc3339: "2026-11-29T20:30:00+01:00") == base)
        #expect(Timestamp(rfc3339: "2026-11-29T14:00:00-05:30") == base)
        #expect(Timestamp(rfc3339: "2026-11-29T19:30:00.5Z") == Timestamp(seconds: base.seconds, nanoseconds: 500_000_000))
        #expect(Timestamp(rfc3339: "2026-11-29T19:30:00.187001208Z") == Timestamp(seconds: base.seconds, nanoseconds: 187_001_208))
        #expect(Timestamp(rfc3339: "2026-11-29T19:30:00.1234567891Z")?.nanoseconds == 123_456_789)
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "2026-11-29", "2026-11-29T19:30:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                      "2026-11-29T24:00:00Z", "2026-11-29T19:30:00.Z", "2026-11-29T19:30:00+0100", "2026-11-29T19:30:00Zjunk"])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func goZeroTimeIsZero() throws {
        #expect(try #require(Timestamp(rfc3339: "0001-01-01T00:00:00Z")).isGoZero)
        #expect(!Timestamp(seconds: 0).isGoZero)
    }

    @Test func formatsInUTCToTheNanosecondAndRoundTrips() throws {
        #expect(base.rfc3339 == "2026-11-29T19:30:00Z")
        #expect(Timestamp(seconds: base.seconds, nanoseconds: 250_000_000).rfc3339 == "2026-11-29T19:30:00.25Z")
        #expect(Timestamp.goZero.rfc3339 == "0001-01-01T00:00:00Z")
        for text in ["1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "2000-02-29T12:00:00.000000001Z", "2026-11-29T19:32:20.187001208Z"] {
            #expect(try #require(Timestamp(rfc3339: text)).rfc3339 == text)
        }
    }

    @Test func convertsToAndFromDate() {
        let date = Date(timeIntervalSince1970: 1_795_980_600.25)
        #expect(Timestamp(date) == Timestamp(seconds: 1_795_980_600, nanoseconds: 250_000_000))
        #expect(Timestamp(date).date == date)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.5)) == Timestamp(seconds: -1, nanoseconds: 500_000_000))
    }
}

@Suite struct TimestampRangeTests {
    /// What the queue stores it must read back: an offset that moves a time out of years 0001–9999 in UTC is
    /// refused at the door (RFC 3339 could not write it back).
    @Test(arguments: ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+01:00", "0000-12-31T23:59:59Z"])
    func refusesInstantsOutsideTheYearsRFC3339CanWrite(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test(arguments: ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T10:00:00-13:00"])
    func roundTripsTheEdges(_ text: String) throws {
        let timestamp = try #require(Timestamp(rfc3339: text))
        #expect(Timestamp(rfc3339: timestamp.rfc3339) == timestamp)
    }
}
