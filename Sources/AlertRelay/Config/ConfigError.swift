import Foundation
import Yams

/// One thing wrong with a config, at the path of the offending key (`sources.grafana.auth[0].secrets[1]`).
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Everything wrong with a config file, one issue a line.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        issues.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}
