/// A sink as a receiver's config sets it up: the sink, how hard it may be driven, and how its failures are
/// retried. The dispatcher holds one per ``SinkAddress``; a reload replaces them whole.
public struct ConfiguredSink: Sendable {
    public var sink: any Sink
    public var limits: SinkLimits
    public var policy: RetryPolicy

    public init(sink: any Sink, limits: SinkLimits, policy: RetryPolicy) {
        self.sink = sink
        self.limits = limits
        self.policy = policy
    }
}
