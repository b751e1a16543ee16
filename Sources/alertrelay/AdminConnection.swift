import AlertRelay
import AlertRelayCurl
import ArgumentParser
import Foundation

/// How the admin commands (`deliveries`, `test-fire`) reach a running service: its URL and the admin token.
struct AdminConnection: ParsableArguments {
    @Option(help: "The service's base URL (default: $ALERTRELAY_URL, else http://127.0.0.1:9099).")
    var url = ProcessInfo.processInfo.environment["ALERTRELAY_URL"] ?? "http://127.0.0.1:9099"

    @Option(help: "File holding the admin token (default: $ALERTRELAY_ADMIN_TOKEN).")
    var adminTokenFile: String?

    /// The answer's body when it is a success; an error naming the service's message otherwise.
    func call(_ method: String, _ path: String, json body: [UInt8]? = nil, timeout: Duration = .seconds(30)) async throws -> [UInt8] {
        let token: String
        if let adminTokenFile {
            token = try String(contentsOfFile: adminTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let fromEnvironment = ProcessInfo.processInfo.environment["ALERTRELAY_ADMIN_TOKEN"] {
            token = fromEnvironment
        } else {
            throw ValidationError("give --admin-token-file or set ALERTRELAY_ADMIN_TOKEN")
        }
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = OutboundRequest(
            url: url.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path, method: method, headers: headers, body: body ?? [],
            timeout: timeout
        )
        switch await CurlHTTPTransport(threads: 1, bodyLimit: 16 << 20).send(request) {
        case .failure(let error):
            throw CLIError("cannot reach \(url): \(error)")
        case .success(let response) where response.status >= 300:
            let message = (try? JSONDecoder().decode([String: String?].self, from: Data(response.body)))?["message"] ?? nil
            throw CLIError("HTTP \(response.status): \(message ?? String(decoding: response.body, as: UTF8.self))")
        case .success(let response):
            return response.body
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `name=value` arguments, as amtool takes labels. A value in double quotes is read as a matcher's
/// (`severity="critical"`, with `\"` and `\\` escapes), so the quotes are not part of it; a matcher's other
/// operators (`=~`, `!=`, `!~`) are refused, since an alert has values, not patterns.
func parseLabels(_ arguments: [String], what: String = "label") throws -> [String: String] {
    var labels: [String: String] = [:]
    for argument in arguments {
        guard let equals = argument.firstIndex(of: "="), Matcher.isLabelName(String(argument[..<equals])) else {
            let hint = argument.contains("!=") || argument.contains("!~") ? " (an alert has label values: use =)" : ""
            throw ValidationError("expected \(what)s as name=value, got \"\(argument)\"\(hint)")
        }
        let name = String(argument[..<equals])
        let value = argument[argument.index(after: equals)...]
        if value.hasPrefix("~") {
            throw ValidationError("expected \(what)s as name=value, got \"\(argument)\" (=~ is a matcher; an alert has label values: use =)")
        }
        if value.hasPrefix("\"") {
            let matchers: [Matcher]
            do {
                matchers = try Matcher.parse(argument)
            } catch {
                throw ValidationError("expected \(what)s as name=value or name=\"value\", got \"\(argument)\": \(error)")
            }
            guard matchers.count == 1, let matcher = matchers.first, matcher.op == .equal else {
                throw ValidationError("expected one \(what) as name=\"value\", got \"\(argument)\"")
            }
            labels[name] = matcher.value
        } else {
            labels[name] = String(value)
        }
    }
    return labels
}
