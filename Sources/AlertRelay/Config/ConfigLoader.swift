import Foundation
import Yams

public enum ConfigLoader {
    /// Whether every secret must be readable (to run) or may be missing (to inspect routes and templates
    /// offline, where a missing one stands in as a placeholder that is never sent anywhere).
    public enum Secrets: Sendable {
        case required, optional
    }

    /// Reads, checks and resolves a config file. Relative paths in it are relative to its directory.
    public static func load(
        file: String, environment: [String: String] = ProcessInfo.processInfo.environment, secrets: Secrets = .required
    ) throws(ConfigError) -> RelayConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read it (permissions, or not UTF-8 text)" : "no such file"
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: reason)])
        }
        if let problem = FilePermissions.problem(file) {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: problem)])
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        return try parse(yaml: text, file: file, baseDirectory: base, environment: environment, secrets: secrets)
    }

    public static func parse(
        yaml: String, file: String = "<config>", baseDirectory: URL, environment: [String: String], secrets: Secrets = .required
    ) throws(ConfigError) -> RelayConfiguration {
        guard yaml.contains(where: { !$0.isWhitespace }) else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: "the config is empty")])
        }
        let configuration: ConfigFile
        do {
            configuration = try YAMLDecoder().decode(ConfigFile.self, from: yaml)
        } catch {
            throw ConfigError(file: file, issues: [issue(for: error)])
        }
        var resolver = ConfigResolver(baseDirectory: baseDirectory, environment: environment, secretsRequired: secrets == .required)
        let resolved = resolver.resolve(configuration, file: file)
        guard let resolved, resolver.issues.isEmpty else { throw ConfigError(file: file, issues: resolver.issues) }
        return resolved
    }

    static func resolve(path: String, against base: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path).standardizedFileURL
    }

    private static func issue(for error: any Error) -> ConfigIssue {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath + [key]), message: "required key is missing")
        case DecodingError.typeMismatch(let type, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: "expected \(CodingPath.describe(type))")
        case DecodingError.valueNotFound(let type, let context) where context.codingPath.isEmpty:
            return ConfigIssue(path: "(file)", message: "the config is empty; expected a mapping of \(String(describing: type))")
        case DecodingError.valueNotFound(let type, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: "expected \(CodingPath.describe(type)), got nothing")
        case DecodingError.dataCorrupted(let context):
            if let yamlError = context.underlyingError as? YamlError { return issue(for: yamlError) }
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: context.debugDescription)
        case let error as YamlError:
            return ConfigIssue(path: "(yaml)", message: "\(error)".replacingOccurrences(of: "\n", with: " "))
        default:
            return ConfigIssue(path: "(file)", message: "\(error)")
        }
    }
}
