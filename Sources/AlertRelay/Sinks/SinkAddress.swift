import Foundation

/// Identifies a sink within the config: the receiver's name and the sink's key (`webhook_configs[0]`).
public struct SinkAddress: Sendable, Hashable, CustomStringConvertible {
    public var receiver: String
    public var sink: String

    public init(receiver: String, sink: String) {
        self.receiver = receiver
        self.sink = sink
    }

    public var description: String { "\(receiver)/\(sink)" }
}
