/// A node of the routing tree, resolved: its receiver inherited where the config leaves it out, its matchers
/// parsed. Matching is Alertmanager's: depth first; a node matches when all its matchers do; among its
/// children the first match wins unless that child says `continue`; a node none of whose children match
/// handles the alert itself. The root has no matchers and matches every alert.
public struct Route: Sendable {
    /// Where the node is in the config: `route`, `route.routes[0].routes[2]`.
    public var path: String
    public var receiver: String
    public var matchers: [Matcher]
    public var `continue`: Bool
    public var routes: [Route]
    /// Not inherited, as in Alertmanager: each applies to the node that names it.
    public var activeTimeIntervals: [String]
    public var muteTimeIntervals: [String]

    public init(
        path: String = "route", receiver: String, matchers: [Matcher] = [], continue: Bool = false, routes: [Route] = [],
        activeTimeIntervals: [String] = [], muteTimeIntervals: [String] = []
    ) {
        self.path = path
        self.receiver = receiver
        self.matchers = matchers
        self.continue = `continue`
        self.routes = routes
        self.activeTimeIntervals = activeTimeIntervals
        self.muteTimeIntervals = muteTimeIntervals
    }

    /// The nodes that handle an alert with these labels, each with the trail of nodes that led to it
    /// (root first).
    public func match(_ labels: [String: String]) -> [[Route]] {
        guard matchers.allSatisfy({ $0.matches(labels) }) else { return [] }
        var found: [[Route]] = []
        for child in routes {
            let matches = child.match(labels)
            found += matches.map { [self] + $0 }
            if !matches.isEmpty, !child.continue { break }
        }
        return found.isEmpty ? [[self]] : found
    }

    /// `route.routes[0] {severity="critical"}`, for explanations.
    public var summary: String {
        let matched = matchers.isEmpty ? "" : " {\(matchers.map(\.description).joined(separator: ", "))}"
        return path + matched + (self.continue ? " (continue)" : "")
    }

    /// Every node, depth first.
    public var allNodes: [Route] { [self] + routes.flatMap(\.allNodes) }
}
