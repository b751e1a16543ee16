import Foundation
import Testing

@testable import AlertRelay

/// A source's rate limit: `burst` webhooks at once, then `perSecond`; over it, 429 with the wait.
@Suite struct TokenBucketTests {
    static let t0 = Date(timeIntervalSinceReferenceDate: 1_000_000)

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    @Test func theBurstIsSpentThenRefusedWithTheWaitForTheNextToken() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        #expect(bucket.take(at: Self.t0) == nil)
        #expect(bucket.take(at: Self.t0) == nil)
        #expect(bucket.take(at: Self.t0) == nil)
        #expect(bucket.take(at: Self.t0) == .milliseconds(500), "at 2 per second the next token is 0.5 s away")
        #expect(bucket.take(at: Self.t0) == .milliseconds(500), "a refused request spends nothing")
    }

    @Test func tokensComeBackWithElapsedTime() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        #expect(bucket.take(at: Self.at(0.25)) == .milliseconds(250), "half a token refilled: a quarter second to go")
        #expect(bucket.take(at: Self.at(0.5)) == nil, "one token after 0.5 s")
        #expect(bucket.take(at: Self.at(0.5)) == .milliseconds(500))
        #expect(bucket.take(at: Self.at(1.5)) == nil, "two tokens after one more second")
        #expect(bucket.take(at: Self.at(1.5)) == nil)
        #expect(bucket.take(at: Self.at(1.5)) == .milliseconds(500))
    }

    /// A client that waits as long as it was told finds a token (the wait is rounded up, never down).
    @Test(arguments: [0.5, 3, 7])
    func waitingTheAdvertisedWaitIsEnough(perSecond: Double) throws {
        let bucket = TokenBucket(perSecond: perSecond, burst: 1)
        #expect(bucket.take(at: Self.t0) == nil)
        let wait = try #require(bucket.take(at: Self.t0))
        #expect(wait > .zero)
        #expect(bucket.take(at: Self.t0.addingTimeInterval(wait.timeInterval)) == nil, "waited \(wait)")
    }

    @Test func aLongIdleRefillsNoMoreThanTheBurst() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        let dayLater = Self.at(86_400)
        for _ in 0..<3 { #expect(bucket.take(at: dayLater) == nil) }
        #expect(bucket.take(at: dayLater) == .milliseconds(500), "a day of idling is worth the burst, not 172800 tokens")
    }

    @Test func anEarlierDateMintsNoTokens() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        #expect(bucket.take(at: Self.at(-3600)) == .milliseconds(500), "an hour back in time is no refill")
    }

    /// Dates reach the bucket out of order: the ingestor takes `now` when a request arrives and spends the
    /// token after awaits, so a request that arrived earlier can reach `take` later. Going back and forth must
    /// not count the same stretch of time twice.
    @Test func comingBackFromAnEarlierDateMintsNoTokens() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        #expect(bucket.take(at: Self.at(-3600)) != nil)
        #expect(bucket.take(at: Self.t0) == .milliseconds(500), "no time passed since the bucket last saw t0")
    }

    @Test func aRefundGivesOneTokenBack() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        bucket.refund()
        #expect(bucket.take(at: Self.t0) == nil, "the refunded token")
        #expect(bucket.take(at: Self.t0) == .milliseconds(500), "and only one")
    }

    @Test func aRefundNeverFillsPastTheBurst() {
        let bucket = TokenBucket(perSecond: 2, burst: 3)
        bucket.refund()
        #expect(bucket.take(at: Self.t0) == nil)
        bucket.refund()
        bucket.refund()  // 2 left + 2 refunds: back to 3, not 4
        for _ in 0..<3 { #expect(bucket.take(at: Self.t0) == nil) }
        #expect(bucket.take(at: Self.t0) == .milliseconds(500), "a full bucket holds 3, refunds or not")
    }
}
