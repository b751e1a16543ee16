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

/// `name=value` arguments, as amtool takes labels.
func parseLabels(_ arguments: [String], what: String = "label") throws -> [String: String] {
    var labels: [String: String] = [:]
    for argument in arguments {
        guard let equals = argument.firstIndex(of: "="), Matcher.isLabelName(String(argument[..<equals])) else {
            throw ValidationError("expected \(what)s as name=value, got \"\(argument)\"")
        }
        labels[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
    }
    return labels
}
