import Foundation

/// Where a secret comes from: written in the config (`"s3cret"` or `{value: s3cret}`), read from a file
/// (`{file: /run/secrets/grafana}`, trimmed of surrounding white space as Prometheus does for `*_file`), or
/// taken from an environment variable (`{env: GRAFANA_WEBHOOK_SECRET}`). When that variable is not set but
/// `GRAFANA_WEBHOOK_SECRET_FILE` is, the secret is read from the file it names: the convention of container
/// images, so the same config runs with environment variables in development and Docker or Kubernetes
/// secrets in production.
public enum SecretRef: Sendable, Equatable, Decodable {
    case value(String)
    case file(String)
    case env(String)

    private enum Keys: String, CodingKey, CaseIterable { case value, file, env }

    public init(from decoder: any Decoder) throws {
        if let literal = try? decoder.singleValueContainer().decode(String.self) {
            self = .value(literal)
            return
        }
        try decoder.rejectUnknownKeys(Keys.self)
        let c = try decoder.container(keyedBy: Keys.self)
        let present = Keys.allCases.filter { c.contains($0) }
        guard present.count == 1, let key = present.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a secret is a string or a mapping with exactly one of value, file, env")
            )
        }
        let text = try c.decode(String.self, forKey: key)
        switch key {
        case .value: self = .value(text)
        case .file: self = .file(text)
        case .env: self = .env(text)
        }
    }

    /// Reads the secret's text. The error says what was wrong and where to look, never the secret itself.
    /// A value that still holds `deploy/make-secrets.sh`'s placeholder (`REPLACE...`) is refused: started with
    /// it, every alert for that sink would be retried for a day and end as a dead letter.
    public func resolve(baseDirectory: URL, environment: [String: String]) -> Result<String, SecretError> {
        read(baseDirectory: baseDirectory, environment: environment).flatMap { text in
            text.contains(Self.placeholderMarker) ? .failure(.placeholder(origin(environment: environment))) : .success(text)
        }
    }

    /// What `deploy/make-secrets.sh` writes where only the user can supply the value.
    static let placeholderMarker = "REPLACE"

    /// Where the secret was read from, for a message that must not show it.
    private func origin(environment: [String: String]) -> String {
        switch self {
        case .value: "the value in the config"
        case .file(let path): "the file \(path)"
        case .env(let name): environment[name] == nil ? "the file \(environment[name + "_FILE"] ?? "")" : "$\(name)"
        }
    }

    private func read(baseDirectory: URL, environment: [String: String]) -> Result<String, SecretError> {
        switch self {
        case .value(let text):
            return text.isEmpty ? .failure(.empty) : .success(text)
        case .env(let name):
            guard let text = environment[name] else {
                if let file = environment[name + "_FILE"] { return SecretRef.file(file).read(baseDirectory: baseDirectory, environment: environment) }
                return .failure(.unsetVariable(name))
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? .failure(.emptyVariable(name)) : .success(trimmed)
        case .file(let path):
            let url = ConfigLoader.resolve(path: path, against: baseDirectory)
            if let problem = FilePermissions.problem(url.path) { return .failure(.untrusted(url.path, problem)) }
            do {
                let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? .failure(.emptyFile(url.path)) : .success(text)
            } catch {
                return .failure(.unreadableFile(url.path, Self.reason(error)))
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let message = strerror(Int32(underlying.code))
        {
            return String(cString: message)
        }
        switch nsError.code {
        case NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "permission denied"
        case NSFileReadInapplicableStringEncodingError: return "not UTF-8 text"
        default: return "cannot be read"
        }
    }
}

public enum SecretError: Error, Equatable, CustomStringConvertible {
    case empty
    case unsetVariable(String)
    case emptyVariable(String)
    case unreadableFile(String, String)
    case emptyFile(String)
    /// Another user of the host could change or replace the file (see `FilePermissions`).
    case untrusted(String, String)
    /// Still the placeholder `deploy/make-secrets.sh` wrote (where it came from).
    case placeholder(String)

    public var description: String {
        switch self {
        case .empty: "secret is empty"
        case .unsetVariable(let name): "environment variable \(name) is not set (nor \(name)_FILE)"
        case .emptyVariable(let name): "environment variable \(name) is empty"
        case .unreadableFile(let path, let reason): "cannot read secrets file \(path): \(reason)"
        case .emptyFile(let path): "secrets file \(path) is empty"
        case .untrusted(let path, let problem): "secrets file \(path): \(problem)"
        case .placeholder(let origin): "\(origin) still holds a placeholder (REPLACE...): put the real value there, or remove this sink"
        }
    }
}
