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

    static func known(_ names: some Collection<String>, what: String = "receivers") -> String {
        names.isEmpty ? " (no \(what) are defined)" : " (defined: \(names.sorted().joined(separator: ", ")))"
    }
}
