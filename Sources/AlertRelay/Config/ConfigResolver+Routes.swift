import Foundation
import Yams

extension ConfigResolver {
    /// One node of the routing tree and its children, checked: receivers that exist, matchers that parse,
    /// time intervals that are defined. The root takes no matchers and must name a receiver.
    mutating func resolve(
        route config: RouteConfig, path: String, inherited: String?, receivers: [String: Receiver], intervals: [String: [RecurringInterval]]
    ) -> Route? {
        let isRoot = inherited == nil
        var matchers: [Matcher] = []
        if isRoot, !(config.matchers.isEmpty && config.match.isEmpty && config.matchRE.isEmpty) {
            report(path, "the root route matches every alert: it takes no matchers (put them on a child in routes)")
        }
        if isRoot, config.continue { report("\(path).continue", "the root route has no siblings to continue to") }
        // As Alertmanager: the root route is always active (it takes every alert no child takes).
        if isRoot, !config.activeTimeIntervals.isEmpty {
            report("\(path).active_time_intervals", "the root route cannot have time intervals (Alertmanager refuses them too): put them on a child route")
        }
        if isRoot, !config.muteTimeIntervals.isEmpty {
            report("\(path).mute_time_intervals", "the root route cannot have time intervals (Alertmanager refuses them too): put them on a child route")
        }
        if let key = config.ignoredKeys.first, !warnings.contains(where: { $0.message.hasPrefix(Self.groupingWarning) }) {
            warnings.append(ConfigIssue(path: "\(path).\(key)", message: Self.groupingWarning + " (this is the first of them; the others are ignored alike)"))
        }
        for (index, text) in config.matchers.enumerated() {
            do {
                matchers += try Matcher.parse(text)
            } catch {
                report("\(path).matchers[\(index)]", error.description)
            }
        }
        for (name, value) in config.match.sorted(by: { $0.key < $1.key }) {
            do { matchers.append(try Matcher(name: name, op: .equal, value: value)) } catch { report("\(path).match.\(name)", error.description) }
        }
        for (name, value) in config.matchRE.sorted(by: { $0.key < $1.key }) {
            do {
                matchers.append(try Matcher(name: name, op: .matchesRegex, value: value))
            } catch {
                report("\(path).match_re.\(name)", error.description)
            }
        }
        for (key, names) in [("active_time_intervals", config.activeTimeIntervals), ("mute_time_intervals", config.muteTimeIntervals)] {
            for (index, name) in names.enumerated() where intervals[name] == nil {
                report("\(path).\(key)[\(index)]", "unknown time interval \"\(name)\"\(Self.known(intervals.keys, what: "time intervals"))")
            }
        }
        var receiver = config.receiver ?? inherited
        if let name = config.receiver, receivers[name] == nil {
            report("\(path).receiver", "unknown receiver \"\(name)\"\(Self.known(receivers.keys))")
        } else if receiver == nil {
            report("\(path).receiver", "the root route needs a receiver: it handles every alert no child route takes")
            receiver = ""
        }
        let children = config.routes.enumerated().compactMap { index, child in
            resolve(route: child, path: "\(path).routes[\(index)]", inherited: receiver, receivers: receivers, intervals: intervals)
        }
        return Route(
            path: path, receiver: receiver ?? "", matchers: matchers, continue: config.continue, routes: children,
            activeTimeIntervals: config.activeTimeIntervals, muteTimeIntervals: config.muteTimeIntervals
        )
    }

    mutating func resolve(timeIntervals: [NamedTimeIntervalConfig]) -> [String: [RecurringInterval]] {
        var named: [String: [RecurringInterval]] = [:]
        for (index, entry) in timeIntervals.enumerated() {
            let path = "time_intervals[\(index)]"
            if entry.name.isEmpty { report("\(path).name", "must not be empty") }
            if named[entry.name] != nil { report("\(path).name", "duplicate time interval name \"\(entry.name)\"") }
            var intervals: [RecurringInterval] = []
            for (specIndex, spec) in entry.timeIntervals.enumerated() {
                do {
                    intervals.append(
                        try RecurringInterval(
                            times: spec.times, weekdays: spec.weekdays, daysOfMonth: spec.daysOfMonth, months: spec.months,
                            years: spec.years, location: spec.location
                        )
                    )
                } catch {
                    report("\(path).time_intervals[\(specIndex)].\(error.key)", error.message)
                }
            }
            named[entry.name] = intervals
        }
        return named
    }

    static let groupingWarning =
        "group_by, group_wait, group_interval and repeat_interval are ignored: AlertRelay does not group or repeat, the sender (Alertmanager) already did"

    static func known(_ names: some Collection<String>, what: String = "receivers") -> String {
        names.isEmpty ? " (no \(what) are defined)" : " (defined: \(names.sorted().joined(separator: ", ")))"
    }
}
