import Foundation
import Testing

@testable import AlertRelay

/// Config and secrets files as platforms lay them out: Kubernetes' symbolic links into a timestamped
/// directory on a sticky tmpfs, and the directories on the way that another user could write to.
@Suite struct FilePermissionsTests {
    let directory: URL
    let manager = FileManager.default

    init() throws {
        directory = manager.temporaryDirectory.appendingPathComponent("alertrelay-permissions-\(UUID().uuidString)")
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let config = """
        sources:
          alertmanager:
            auth:
              - type: bearer
                credentials: [{file: /MOUNT/token}]
        route:
          receiver: outbox
        receivers:
          - name: outbox
            file_configs:
              - path: /DATA/outbox.jsonl
        """

    /// What the kubelet writes for a ConfigMap or Secret volume: the mount point is a tmpfs of mode 1777,
    /// the keys' files sit in `..<timestamp>/` (0755), `..data` links to it, and each key is a link
    /// `name -> ..data/name`. Files have the volume's `defaultMode`.
    func kubernetesVolume(_ name: String, files: [String: String], mode: Int) throws -> URL {
        let mount = directory.appendingPathComponent(name)
        let timestamped = mount.appendingPathComponent("..2026_11_30_10_00_00.123456789")
        try manager.createDirectory(at: timestamped, withIntermediateDirectories: true)
        try manager.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: mount.path)
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: timestamped.path)
        try manager.createSymbolicLink(atPath: mount.appendingPathComponent("..data").path, withDestinationPath: timestamped.lastPathComponent)
        for (file, text) in files {
            try text.write(to: timestamped.appendingPathComponent(file), atomically: false, encoding: .utf8)
            try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: timestamped.appendingPathComponent(file).path)
            try manager.createSymbolicLink(atPath: mount.appendingPathComponent(file).path, withDestinationPath: "..data/\(file)")
        }
        return mount
    }

    @Test func aConfigAndSecretsMountedAsKubernetesDoesLoad() throws {
        let secrets = try kubernetesVolume("secrets", files: ["token": "s3cret\n"], mode: 0o400)
        let yaml = Self.config.replacingOccurrences(of: "/MOUNT", with: secrets.path)
            .replacingOccurrences(of: "/DATA", with: directory.appendingPathComponent("data").path)
        let config = try kubernetesVolume("config", files: ["alertrelay.yml": yaml], mode: 0o644)
        let loaded = try ConfigLoader.load(file: config.appendingPathComponent("alertrelay.yml").path, environment: [:])
        #expect(loaded.sources["alertmanager"] != nil)
    }

    @Test func aLinkToAFileEveryUserCanWriteIsRefusedNamingWhereItLeads() throws {
        let target = directory.appendingPathComponent("real-token")
        try "s3cret".write(to: target, atomically: false, encoding: .utf8)
        try manager.setAttributes([.posixPermissions: 0o666], ofItemAtPath: target.path)
        let link = directory.appendingPathComponent("token")
        try manager.createSymbolicLink(atPath: link.path, withDestinationPath: "real-token")
        let problem = try #require(FilePermissions.problem(link.path))
        #expect(problem.contains("writable by every user"))
        #expect(problem.contains(target.path))
    }

    @Test func aSecretInADirectoryEveryUserCanWriteToIsRefused() throws {
        let open = directory.appendingPathComponent("open")
        try manager.createDirectory(at: open, withIntermediateDirectories: true)
        try manager.setAttributes([.posixPermissions: 0o777], ofItemAtPath: open.path)
        try "s3cret".write(to: open.appendingPathComponent("token"), atomically: false, encoding: .utf8)
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: open.appendingPathComponent("token").path)

        let yaml = Self.config.replacingOccurrences(of: "/MOUNT", with: open.path)
            .replacingOccurrences(of: "/DATA", with: directory.appendingPathComponent("data").path)
        do {
            _ = try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:])
            Issue.record("a secret in a world-writable directory was accepted")
        } catch {
            #expect(error.issues.map(\.path) == ["sources.alertmanager.auth[0].credentials[0]"])
            #expect(error.issues.first?.message.contains("which every user of this host can write to (mode 777)") == true)
        }
        // The same directory with the sticky bit (as /tmp): others cannot replace what they do not own.
        try manager.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: open.path)
        #expect(FilePermissions.problem(open.appendingPathComponent("token").path) == nil)
    }

    @Test(.enabled(if: geteuid() == 0, "giving a file to another user needs root"))
    func aSecretAnotherUserOwnsInAStickyDirectoryIsRefused() throws {
        let shared = directory.appendingPathComponent("shared")
        try manager.createDirectory(at: shared, withIntermediateDirectories: true)
        try manager.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: shared.path)
        let token = shared.appendingPathComponent("token")
        try "s3cret".write(to: token, atomically: false, encoding: .utf8)
        #expect(chown(token.path, 65534, 65534) == 0)
        let problem = try #require(FilePermissions.problem(token.path))
        #expect(problem.contains("belongs to user 65534"))
    }
}
