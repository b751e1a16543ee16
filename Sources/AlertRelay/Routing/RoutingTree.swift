import Foundation

/// Routes each alert of a notification through the tree, and gathers the alerts that reach the same receiver
/// into one notification for it, so a receiver gets one message (one email, one Slack post) per incoming
/// notification, whatever the number of routes that led there.
public struct RoutingTree: Sendable {
    public let root: Route
    public let timeIntervals: [String: [RecurringInterval]]

    public init(root: Route, timeIntervals: [String: [RecurringInterval]] = [:]) {
        self.root = root
        self.timeIntervals = timeIntervals
    }

    /// Where one alert goes: a receiver, the routes that sent it there, and why it is muted if it is.
    public struct Destination: Sendable, Equatable {
        public var receiver: String
        /// The trails of route paths, one per matching route, root first.
        public var trails: [[String]]
        /// Set when every route to this receiver is muted now: which interval, on which route.
        public var muted: String?
    }

    /// A receiver's share of a notification.
    public struct Routed: Sendable {
        public var receiver: String
        public var notification: AlertNotification
        /// True when the receiver gets every alert of the notification as it came.
        public var isWhole: Bool
        public var muted: String?
    }

    /// Receivers in the order the tree first reaches them.
    public func destinations(for labels: [String: String], at date: Date) -> [Destination] {
        var destinations: [Destination] = []
        for trail in root.match(labels) {
            guard let route = trail.last else { continue }
            let muted = muteReason(route, at: date)
            let paths = trail.map(\.path)
            if let index = destinations.firstIndex(where: { $0.receiver == route.receiver }) {
                destinations[index].trails.append(paths)
                // A receiver is muted only if every route that reaches it is.
                if muted == nil { destinations[index].muted = nil }
            } else {
                destinations.append(Destination(receiver: route.receiver, trails: [paths], muted: muted))
            }
        }
        return destinations
    }

    public func route(_ notification: AlertNotification, at date: Date) -> [Routed] {
        struct Share {
            var receiver: String
            var muted: String?
            var alerts: [Int]
        }
        var shares: [Share] = []
        for (index, alert) in notification.alerts.enumerated() {
            for destination in destinations(for: alert.labels, at: date) {
                if let share = shares.firstIndex(where: { $0.receiver == destination.receiver && ($0.muted == nil) == (destination.muted == nil) }) {
                    shares[share].alerts.append(index)
                } else {
                    shares.append(Share(receiver: destination.receiver, muted: destination.muted, alerts: [index]))
                }
            }
        }
        return shares.map { share in
            let whole = share.alerts.count == notification.alerts.count
            return Routed(
                receiver: share.receiver, notification: whole ? notification : notification.subset(share.alerts), isWhole: whole,
                muted: share.muted
            )
        }
    }

    /// The node at a path such as `route.routes[1]`, for explanations.
    public func node(at path: String) -> Route? {
        root.allNodes.first { $0.path == path }
    }

    /// Why a route does not notify now, or nil when it does. Mute intervals win over active ones.
    func muteReason(_ route: Route, at date: Date) -> String? {
        if let name = route.muteTimeIntervals.first(where: { contains($0, date) }) {
            return "muted by mute_time_intervals \(name) at \(route.path)"
        }
        if !route.activeTimeIntervals.isEmpty, !route.activeTimeIntervals.contains(where: { contains($0, date) }) {
            return "outside active_time_intervals \(route.activeTimeIntervals.joined(separator: ", ")) at \(route.path)"
        }
        return nil
    }

    func contains(_ name: String, _ date: Date) -> Bool {
        timeIntervals[name]?.contains { $0.contains(date) } ?? false
    }
}

extension AlertNotification {
    /// The same group with only these alerts: its status and common labels and annotations recomputed for them.
    func subset(_ indices: [Int]) -> AlertNotification {
        var copy = self
        copy.alerts = indices.map { alerts[$0] }
        copy.status = copy.alerts.contains { $0.status == .firing } ? .firing : .resolved
        copy.commonLabels = Self.common(copy.alerts.map(\.labels))
        copy.commonAnnotations = Self.common(copy.alerts.map(\.annotations))
        return copy
    }

    static func common(_ maps: [[String: String]]) -> [String: String] {
        guard var common = maps.first else { return [:] }
        for map in maps.dropFirst() {
            common = common.filter { map[$0.key] == $0.value }
        }
        return common
    }
}
