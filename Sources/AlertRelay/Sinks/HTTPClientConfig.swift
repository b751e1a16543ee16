import Foundation

/// Alertmanager's `http_config`, the parts a webhook needs.
public struct HTTPClientConfig: Sendable, Decodable {
    public var authorization: (type: String, credentials: SecretRef)?
    public var basicAuth: BasicUserConfig?
    public var tls = (caFile: String?.none, insecureSkipVerify: false)
    public var followRedirects = false

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case authorization, basicAuth = "basic_auth", tlsConfig = "tls_config", followRedirects = "follow_redirects"
    }

    enum AuthorizationKeys: String, CodingKey, CaseIterable {
        case type, credentials, credentialsFile = "credentials_file"
    }

    enum TLSKeys: String, CodingKey, CaseIterable {
        case caFile = "ca_file", insecureSkipVerify = "insecure_skip_verify"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.authorization) {
            let authorization = try c.superDecoder(forKey: .authorization)
            try authorization.rejectUnknownKeys(AuthorizationKeys.self)
            let a = try authorization.container(keyedBy: AuthorizationKeys.self)
            let type = try a.decode(.type, default: "Bearer")
            self.authorization = (type, try a.secret(.credentials, orFile: .credentialsFile))
        }
        basicAuth = try c.decodeIfPresent(BasicUserConfig.self, forKey: .basicAuth)
        if authorization != nil, basicAuth != nil {
            throw c.invalid(.basicAuth, "give authorization or basic_auth, not both")
        }
        if c.contains(.tlsConfig) {
            let tls = try c.superDecoder(forKey: .tlsConfig)
            try tls.rejectUnknownKeys(TLSKeys.self)
            let t = try tls.container(keyedBy: TLSKeys.self)
            self.tls = (try t.decodeIfPresent(String.self, forKey: .caFile), try t.decode(.insecureSkipVerify, default: false))
        }
        followRedirects = try c.decode(.followRedirects, default: false)
    }
}

extension ConfigResolver {
    /// A sink's URL from the config or its file, checked to be http(s). The URL may hold a token (Slack's
    /// do): errors name the key, never the value.
    mutating func url(_ ref: SecretRef, at path: String, fileKey: String) -> String? {
        let keyPath: String
        if case .file = ref { keyPath = "\(path).\(fileKey)" } else { keyPath = "\(path).\(fileKey.replacingOccurrences(of: "_file", with: ""))" }
        guard let url = secret(ref, at: keyPath).map({ String(decoding: $0.bytes, as: UTF8.self) }) else { return nil }
        if url == Self.unresolved { return "https://unresolved.invalid/" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            report(keyPath, "not a valid http:// or https:// URL")
            return nil
        }
        return url
    }

    /// An `http_config`'s credentials as request headers, and its TLS options (`global.http_config`'s when the
    /// sink has none).
    mutating func httpHeaders(_ config: HTTPClientConfig?, at path: String) -> (headers: [(name: String, value: String)], tls: TLSOptions) {
        let http = config ?? global.httpConfig ?? HTTPClientConfig()
        var headers: [(name: String, value: String)] = []
        if let (type, credentials) = http.authorization,
            let token = secret(credentials, at: "\(path).http_config.authorization.credentials")
        {
            headers.append(("Authorization", "\(type) \(String(decoding: token.bytes, as: UTF8.self))"))
        }
        if let basic = http.basicAuth, let password = secret(basic.password, at: "\(path).http_config.basic_auth.password") {
            let pair = Data((basic.username + ":").utf8 + password.bytes).base64EncodedString()
            headers.append(("Authorization", "Basic \(pair)"))
        }
        let tls = tlsOptions(caFile: http.tls.caFile, insecureSkipVerify: http.tls.insecureSkipVerify, at: "\(path).http_config.tls_config")
        return (headers, tls)
    }

    /// A `tls_config`: its CA file resolved against the config's directory and checked to be readable.
    mutating func tlsOptions(caFile: String?, insecureSkipVerify: Bool, at path: String) -> TLSOptions {
        var tls = TLSOptions(insecureSkipVerify: insecureSkipVerify)
        if let caFile {
            let resolved = ConfigLoader.resolve(path: caFile, against: baseDirectory).path
            if !FileManager.default.isReadableFile(atPath: resolved) { report("\(path).ca_file", "cannot read \(resolved)") }
            tls.caFile = resolved
        }
        return tls
    }
}
