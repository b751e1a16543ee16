import Foundation
import Testing

@testable import AlertRelay

@Suite struct RFC3339Tests {
    @Test func parsesTheFormsGoWrites() {
        let base = Date(timeIntervalSince1970: 1_795_980_600)  // 2026-11-29T19:30:00Z
        #expect(RFC3339.parse("2026-11-29T19:30:00Z") == base)
        #expect(RFC3339.parse("2026-11-29t19:30:00z") == base)
        #expect(RFC3339.parse("2026-11-29T20:30:00+01:00") == base)
        #expect(RFC3339.parse("2026-11-29T14:00:00-05:30") == base)
        #expect(RFC3339.parse("2026-11-29T19:30:00.5Z") == base.addingTimeInterval(0.5))
        #expect(RFC3339.parse("2026-11-29T19:30:00.123456789Z").map { abs($0.timeIntervalSince(base) - 0.123456789) < 1e-6 } == true)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "2026-11-29", "2026-11-29T19:30:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                      "2026-11-29T24:00:00Z", "2026-11-29T19:30:00.Z", "2026-11-29T19:30:00+0100", "2026-11-29T19:30:00Zjunk"])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func goZeroTimeIsZero() throws {
        #expect(RFC3339.isZero(try #require(RFC3339.parse(RFC3339.zeroTime))))
        #expect(!RFC3339.isZero(Date(timeIntervalSince1970: 0)))
    }

    @Test func formatsInUTCAndRoundTrips() throws {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_980_600)) == "2026-11-29T19:30:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_980_600.25)) == "2026-11-29T19:30:00.25Z")
        #expect(RFC3339.format(try #require(RFC3339.parse(RFC3339.zeroTime))) == RFC3339.zeroTime)
        for text in ["1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "2000-02-29T12:00:00.000001Z"] {
            #expect(RFC3339.format(try #require(RFC3339.parse(text))) == text)
        }
    }
}
