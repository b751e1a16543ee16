import Foundation

/// `Authorization: Bearer <token>`, as Alertmanager's `http_config.authorization` sends it.
public struct BearerToken: WebhookVerifier {
    public var tokens: [Secret]
    public var scheme: String { "bearer" }
    public var readsBody: Bool { false }

    public init(tokens: [Secret]) { self.tokens = tokens }

    public func verify(_ request: WebhookRequest, now: Date) -> Verification {
        guard let value = request.header("Authorization") else { return .failed(.missingHeader("Authorization")) }
        guard let token = authorizationParameter(value, scheme: "Bearer") else {
            return .failed(.malformedHeader("Authorization"))
        }
        let presented = Array(token.utf8)
        // Check every token, so that the time taken does not tell which one matched.
        let matched = tokens.map { $0.matches(presented) }.contains(true)
        return matched ? .passedWithoutReplayKey : .failed(.wrongCredentials)
    }
}

/// `Authorization: Basic <base64(user:password)>`, as Alertmanager's `http_config.basic_auth` sends it.
public struct BasicAuth: WebhookVerifier {
    public struct User: Sendable {
        public var username: String
        public var password: Secret
        public init(username: String, password: Secret) {
            self.username = username
            self.password = password
        }
    }

    public var users: [User]
    public var scheme: String { "basic" }
    public var readsBody: Bool { false }

    public init(users: [User]) { self.users = users }

    public func verify(_ request: WebhookRequest, now: Date) -> Verification {
        guard let value = request.header("Authorization") else { return .failed(.missingHeader("Authorization")) }
        guard let encoded = authorizationParameter(value, scheme: "Basic"),
            let decoded = Data(base64Encoded: encoded),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return .failed(.malformedHeader("Authorization")) }
        let username = Array(decoded[..<colon])
        let password = Array(decoded[decoded.index(after: colon)...])
        let matched = users.map { user in
            let nameMatches = Secret(user.username).matches(username)
            let passwordMatches = user.password.matches(password)
            return nameMatches && passwordMatches
        }.contains(true)
        return matched ? .passedWithoutReplayKey : .failed(.wrongCredentials)
    }
}

/// Accepts every request. Only for senders that cannot authenticate (`amtool`, a lab Alertmanager), and only
/// when the config says so explicitly with `type: none`.
public struct NoAuthentication: WebhookVerifier {
    public var scheme: String { "none" }
    public var readsBody: Bool { false }
    public init() {}
    public func verify(_ request: WebhookRequest, now: Date) -> Verification { .passedWithoutReplayKey }
}

/// The parameter of an `Authorization` header with the given scheme (matched without regard to case).
private func authorizationParameter(_ header: String, scheme: String) -> String? {
    let parts = header.trimmingHTTPWhitespace().split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].caseInsensitiveCompare(scheme) == .orderedSame else { return nil }
    let parameter = String(parts[1].trimmingHTTPWhitespace())
    return parameter.isEmpty ? nil : parameter
}
