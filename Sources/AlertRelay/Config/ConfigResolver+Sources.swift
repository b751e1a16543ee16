import Foundation
import Yams

extension ConfigResolver {
    mutating func resolve(source: SourceConfig, name: String, defaultBodySize: Int) -> Source? {
        let path = "sources.\(name)"
        if name.isEmpty || !name.unicodeScalars.allSatisfy(Self.nameCharacters.contains) {
            report(path, "a source name may hold only letters, digits, '.', '_' and '-' (it is part of the URL /webhook/{source})")
        }
        if source.auth.isEmpty {
            report("\(path).auth", "at least one scheme is required; write `- type: none` to accept unauthenticated webhooks")
        }
        let maxBodySize = source.maxBodySize?.bytes ?? defaultBodySize
        if maxBodySize <= 0 { report("\(path).max_body_size", "must be more than 0") }
        let verifiers = source.auth.enumerated().compactMap { index, auth in
            verifier(for: auth, at: "\(path).auth[\(index)]")
        }
        let rateLimit = source.rateLimit > 0 ? (source.rateLimit, source.rateBurst ?? max(10, Int((source.rateLimit * 2).rounded(.up)))) : nil
        let clientCertificate = source.clientCertificate.map { ClientCertificatePolicy(commonNames: Set($0.commonNames)) }
        return Source(
            name: name, verifiers: verifiers, maxBodySize: maxBodySize, rateLimit: rateLimit, clientCertificate: clientCertificate,
            dedupGroup: source.dedupGroup
        )
    }

    /// `server.tls`: each file there, readable, and not writable by every user (a replaced key or client CA
    /// would let anyone impersonate the relay or a sender). Their contents are checked by the service.
    mutating func resolve(tls: ListenerTLSConfig) -> ListenerTLSFiles {
        func file(_ path: String, key: String) -> String {
            let resolved = ConfigLoader.resolve(path: path, against: baseDirectory).path
            // Inspecting a config elsewhere (`check-config --syntax-only`): the files belong to the host it runs on.
            guard secretsRequired else { return resolved }
            if !FileManager.default.isReadableFile(atPath: resolved) {
                report("server.tls.\(key)", FileManager.default.fileExists(atPath: resolved) ? "cannot read \(resolved)" : "no such file: \(resolved)")
            } else if let problem = FilePermissions.problem(resolved) {
                report("server.tls.\(key)", "\(resolved): \(problem)")
            }
            return resolved
        }
        return ListenerTLSFiles(
            certificateChain: file(tls.certFile, key: "cert_file"), privateKey: file(tls.keyFile, key: "key_file"),
            clientCA: tls.clientCAFile.map { file($0, key: "client_ca_file") }
        )
    }

    static let nameCharacters = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128))).union(CharacterSet(charactersIn: "._-"))

    mutating func verifier(for auth: AuthConfig, at path: String) -> (any WebhookVerifier)? {
        switch auth {
        case .grafana(let refs, let header, let timestampHeader, let tolerance):
            checkHeader(header, at: "\(path).header")
            if let timestampHeader { checkHeader(timestampHeader, at: "\(path).timestamp_header") }
            checkTolerance(tolerance, at: "\(path).tolerance")
            let secrets = secrets(refs, at: "\(path).secrets")
            return GrafanaSignature(secrets: secrets, header: header, timestampHeader: timestampHeader, tolerance: tolerance.duration)
        case .standardWebhooks(let refs, let tolerance):
            checkTolerance(tolerance, at: "\(path).tolerance")
            var secrets: [Secret] = []
            for (index, ref) in refs.enumerated() {
                let key = "\(path).secrets[\(index)]"
                if let raw = secret(ref, at: key), let decoded = standardWebhooksSecret(raw, at: key) {
                    secrets.append(decoded)
                }
            }
            return StandardWebhooks(secrets: secrets, tolerance: tolerance.duration)
        case .hex(let refs, let header):
            checkHeader(header, at: "\(path).header")
            return HexSignature(secrets: secrets(refs, at: "\(path).secrets"), header: header)
        case .bearer(let refs):
            return BearerToken(tokens: secrets(refs, at: "\(path).credentials"))
        case .basic(let users):
            if users.isEmpty { report("\(path).users", "at least one user is required") }
            let resolved = users.enumerated().compactMap { index, user -> BasicAuth.User? in
                if user.username.isEmpty || user.username.contains(":") {
                    report("\(path).users[\(index)].username", "must be non-empty and hold no ':'")
                }
                return secret(user.password, at: "\(path).users[\(index)].password").map {
                    BasicAuth.User(username: user.username, password: $0)
                }
            }
            return BasicAuth(users: resolved)
        case .none:
            return NoAuthentication()
        }
    }

    /// A Standard Webhooks secret (base64, optionally `whsec_`), decoded; a placeholder stays one.
    mutating func standardWebhooksSecret(_ secret: Secret, at path: String) -> Secret? {
        let text = String(decoding: secret.bytes, as: UTF8.self)
        if text == Self.unresolved { return secret }
        guard let decoded = StandardWebhooks.secret(fromEncoded: text) else {
            report(path, "not a Standard Webhooks secret: expected base64, optionally prefixed with whsec_")
            return nil
        }
        return decoded
    }

    mutating func checkHeader(_ name: String, at path: String) {
        let valid = !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
        if !valid { report(path, "invalid header name \"\(name)\"") }
    }

    mutating func checkTolerance(_ tolerance: ConfigDuration, at path: String) {
        if tolerance.duration <= .zero { report(path, "must be more than 0") }
    }
}
